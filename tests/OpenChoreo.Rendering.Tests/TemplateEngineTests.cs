using System.Text.Json.Nodes;
using OpenChoreo.Cel;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Templates;

namespace OpenChoreo.Rendering.Tests;

public class TemplateEngineTests
{
    private static readonly Dictionary<string, JsonNode?> Vars = new()
    {
        ["parameters"] = JsonNode.Parse("""{"replicas":3,"name":"web","ratio":0.5,"big":1000000.0,"on":true,"labels":{"a":"1"},"items":["x","y"]}"""),
        ["metadata"] = JsonNode.Parse("""{"name":"web-dev-1234abcd"}"""),
    };

    private static string Render(string templateJson) =>
        TemplateEngine.Default.Render(JsonNode.Parse(templateJson), Vars, "t")!.ToJsonString();

    [Fact]
    public void Standalone_expressions_keep_their_type() =>
        Render("""{"r":"${parameters.replicas}","on":" ${parameters.on} ","l":"${parameters.labels}","i":"${parameters.items}"}""")
            .ShouldBe("""{"r":3,"on":true,"l":{"a":"1"},"i":["x","y"]}""");

    [Fact]
    public void Interpolation_formats_like_upstream() =>
        Render("""{"s":"${parameters.name}-${parameters.replicas}-${parameters.ratio}-${parameters.big}-${parameters.on}-${parameters.labels}-${parameters.items}"}""")
            .ShouldBe("""{"s":"web-3-0.5-1e\u002B06-true-{\u0022a\u0022:\u00221\u0022}-[\u0022x\u0022,\u0022y\u0022]"}""");

    [Fact]
    public void Map_keys_are_rendered() =>
        Render("""{"${parameters.name}-key":"v","${parameters.name}":"${parameters.replicas}"}""").ShouldBe("""{"web-key":"v","web":3}""");

    [Fact]
    public void Non_string_map_key_is_an_error() =>
        Should.Throw<TemplateException>(() => Render("""{"${parameters.replicas}":"v"}""")).Cause
            .ShouldBe(new StatusCause("t[\"${parameters.replicas}\"]", CauseReasons.Invalid, "a map key must evaluate to a string, got integer"));

    [Fact]
    public void Omit_removes_fields_list_items_and_nested_entries() =>
        Render("""{"a":"${oc_omit()}","b":["${oc_omit()}","k"],"c":"${{'x': oc_omit(), 'y': 1}}","d":"${[1, oc_omit(), 2]}"}""")
            .ShouldBe("""{"b":["k"],"c":{"y":1},"d":[1,2]}""");

    [Fact]
    public void Merge_is_shallow_and_left_to_right() =>
        Render("""{"m":"${oc_merge({'a': 1, 'n': {'x': 1}}, {'b': 2}, {'a': 3, 'n': {'y': 2}})}"}""")
            .ShouldBe("""{"m":{"a":3,"n":{"y":2},"b":2}}""");

    [Fact]
    public void Generate_name_and_hash_functions() =>
        Render("""{"n":"${oc_generate_name('greeter-service', 'development')}","l":"${oc_generate_name(['greeter-service', 'development'])}","h":"${oc_hash('/conf/application.toml')}"}""")
            .ShouldBe("""{"n":"greeter-service-development-a9f97fde","l":"greeter-service-development-a9f97fde","h":"639ac00d"}""");

    [Fact]
    public void Braces_and_quotes_inside_expressions_are_scanned_correctly() =>
        Render("""{"s":"x-${ {'k': '}'}['k'] }-y"}""").ShouldBe("""{"s":"x-}-y"}""");

    [Fact]
    public void Nested_expression_is_an_error() =>
        Should.Throw<TemplateException>(() => Render("""{"s":"${a${b}}"}""")).Cause.Message
            .ShouldBe("nested expression: \"${a${\" (quote a literal \"${\" inside the expression)");

    [Fact]
    public void Unclosed_expression_is_an_error() =>
        Should.Throw<TemplateException>(() => Render("""{"s":"${parameters.name"}""")).Cause.Message.ShouldBe("unclosed expression: \"${parameters.name\"");

    [Fact]
    public void Syntax_errors_name_the_field_and_position() =>
        Should.Throw<TemplateException>(() => Render("""{"spec":{"x":"${parameters.replicas +}"}}""")).Cause.ShouldSatisfyAllConditions(
            c => c.Field.ShouldBe("t.spec.x"),
            c => c.Message.ShouldStartWith("invalid CEL expression \"parameters.replicas +\" at line 1, column"));

    [Fact]
    public void Missing_key_is_an_error_in_templates_but_false_in_conditions()
    {
        Should.Throw<TemplateException>(() => Render("""{"x":"${parameters.nope}"}""")).Cause.Message
            .ShouldBe("expression \"parameters.nope\": <input>:1:11: no such key: nope");
        TemplateEngine.Default.EvaluateCondition("${parameters.nope.deeper == 1}", Vars, "includeWhen").ShouldBeFalse();
        TemplateEngine.Default.EvaluateCondition("${undeclared.field == 1}", Vars, "includeWhen").ShouldBeFalse(); // unknown variable
        TemplateEngine.Default.EvaluateCondition("${parameters.replicas == 3}", Vars, "includeWhen").ShouldBeTrue();
    }

    [Fact]
    public void Non_boolean_condition_is_an_error() =>
        Should.Throw<TemplateException>(() => TemplateEngine.Default.EvaluateCondition("${parameters.replicas}", Vars, "includeWhen"))
            .Cause.Message.ShouldBe("must evaluate to a boolean, got int");

    [Fact]
    public void Runaway_expression_is_stopped_by_the_cost_budget()
    {
        var engine = new TemplateEngine(CelLimits.Default with { MaxCost = 10_000 });
        var e = Should.Throw<TemplateException>(() => engine.Render(
            JsonNode.Parse("""{"x":"${[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, a+b+c+d))))}"}"""),
            Vars, "t"));
        e.Cause.Field.ShouldBe("t.x");
        e.Cause.Message.ShouldContain("cost budget of 10000 exceeded");
    }

    [Fact]
    public void Check_reports_every_bad_expression_with_its_path()
    {
        var errors = new List<StatusCause>();
        TemplateEngine.Default.Check(JsonNode.Parse("""{"a":"${1 +}","b":["ok ${x}", "${)}"]}"""), "spec.template", errors);
        errors.Select(e => e.Field).ShouldBe(["spec.template.a", "spec.template.b[1]"]);
    }

    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(1e6, "1e+06")]
    [InlineData(123456.0, "123456")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(3.0, "3")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(100000.0, "100000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e-7, "1.5e-07")]
    public void Doubles_interpolate_like_go_percent_g(double d, string expected) => GoFormat.FormatG(d).ShouldBe(expected);
}
