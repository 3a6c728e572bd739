using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

/// <summary>
/// The selection fast path (a select chain on a variable or a comprehension variable, walked over the JSON input):
/// no allocation, the same answers and errors as the general path, whatever the objects' shapes and threads.
/// </summary>
public class SelectionTests
{
    private static Dictionary<string, JsonNode?> Vars() => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "checkout" },
        ["parameters"] = new JsonObject
        {
            ["replicas"] = 3L,
            ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "500m" } },
            ["tags"] = new JsonArray("a"),
            ["none"] = null,
        },
    };

    [Fact]
    public void Plain_and_nested_selections_allocate_nothing()
    {
        var vars = Vars();
        var plain = CelEnvironment.Default.Compile("parameters.replicas");
        var nested = CelEnvironment.Default.Compile("parameters.resources.limits.cpu");
        for (int i = 0; i < 100; i++) { plain.Evaluate(vars); nested.Evaluate(vars); }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            sum += plain.Evaluate(vars).AsInt;
            sum += nested.Evaluate(vars).AsString.Length;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        sum.ShouldBe(1000 * (3 + 4));
        allocated.ShouldBe(0);
    }

    [Theory]
    [InlineData("parameters.missing", CelErrorKind.NoSuchKey, "no such key: missing", 11)]
    [InlineData("parameters.resources.limits.gpu", CelErrorKind.NoSuchKey, "no such key: gpu", 28)]
    [InlineData("parameters.tags.first", CelErrorKind.NoSuchOverload, "type 'list' does not support field selection ('first')", 16)]
    [InlineData("parameters.none.field", CelErrorKind.NoSuchField, "no such field 'field': the value is null", 16)]
    [InlineData("parameters.replicas.x", CelErrorKind.NoSuchOverload, "type 'int' does not support field selection ('x')", 20)]
    [InlineData("parameters.missing.a.b", CelErrorKind.NoSuchKey, "no such key: missing", 11)]
    [InlineData("parameters.resources.gpu.count", CelErrorKind.NoSuchKey, "no such key: gpu", 21)]
    public void Failing_selection_reports_kind_message_and_position(string expr, CelErrorKind kind, string message, int column)
    {
        var error = CelEnvironment.Default.Compile(expr).Evaluate(Vars()).Error!;
        error.Kind.ShouldBe(kind);
        error.Message.ShouldBe(message);
        (error.Line, error.Column).ShouldBe((1, column));
    }

    [Theory]
    [InlineData("items.map(i, i.meta.name)", CelErrorKind.NoSuchKey, "no such key: name", ".name")]
    [InlineData("items.map(i, i.meta.name.x)", CelErrorKind.NoSuchOverload, "type 'string' does not support field selection ('x')", ".x")]
    [InlineData("items.map(i, i.spec.name)", CelErrorKind.NoSuchKey, "no such key: spec", ".spec")]
    [InlineData("items.map(i, i.list.name)", CelErrorKind.NoSuchOverload, "type 'list' does not support field selection ('name')", ".name")]
    [InlineData("[1].map(i, i.name)", CelErrorKind.NoSuchOverload, "type 'int' does not support field selection ('name')", ".name")]
    public void Failing_selection_on_a_comprehension_variable_points_at_its_field(string expr, CelErrorKind kind, string message, string at)
    {
        var vars = new Dictionary<string, JsonNode?>
        {
            ["items"] = new JsonArray(
                new JsonObject { ["meta"] = new JsonObject { ["name"] = "a" }, ["list"] = new JsonArray() },
                new JsonObject { ["meta"] = new JsonObject(), ["list"] = new JsonArray() }),
        };
        var error = CelEnvironment.Default.Compile(expr).Evaluate(vars).Error!;
        error.Kind.ShouldBe(kind);
        error.Message.ShouldBe(message);
        error.Column.ShouldBe(expr.IndexOf(at, StringComparison.Ordinal) + 1);
    }

    [Fact]
    public void Fields_are_found_wherever_each_object_keeps_them()
    {
        // The lookup remembers where it last found a field; items of different shapes must not confuse it.
        var vars = new Dictionary<string, JsonNode?>
        {
            ["items"] = new JsonArray(
                new JsonObject { ["name"] = "a", ["on"] = true },
                new JsonObject { ["on"] = false, ["name"] = "b" },
                new JsonObject { ["x"] = 1, ["y"] = 2, ["on"] = true, ["name"] = "c" },
                new JsonObject { ["on"] = true }),
        };
        var program = CelEnvironment.Default.Compile("items.filter(i, i.on && has(i.name)).map(i, i.name)");
        for (int round = 0; round < 3; round++)
            program.Evaluate(vars).ToJsonNode()!.ToJsonString().ShouldBe("""["a","c"]""");
    }

    [Fact]
    public async Task Concurrent_evaluations_over_differently_shaped_objects_agree()
    {
        var program = CelEnvironment.Default.Compile("o.k + o.k");
        var tasks = Enumerable.Range(0, 6).Select(t => Task.Run(() =>
        {
            // Thread t keeps "k" at index t, so the threads keep overwriting each other's hint.
            var o = new JsonObject();
            for (int j = 0; j < t; j++) o[$"pad{j}"] = j;
            o["k"] = (long)t;
            var vars = new Dictionary<string, JsonNode?> { ["o"] = o };
            for (int i = 0; i < 20_000; i++)
            {
                var v = program.Evaluate(vars);
                if (v.IsError || v.AsInt != 2 * t) return $"thread {t}: {v}";
            }
            return null;
        }, TestContext.Current.CancellationToken)).ToArray();
        (await Task.WhenAll(tasks)).Where(r => r != null).ShouldBeEmpty();
    }

    [Fact]
    public void A_dotted_variable_name_wins_over_selection_for_json_variables()
    {
        var program = CelEnvironment.Default.Compile("a.b.c");
        var plain = new Dictionary<string, JsonNode?> { ["a"] = new JsonObject { ["b"] = new JsonObject { ["c"] = 1L } } };
        program.Evaluate(plain).AsInt.ShouldBe(1);
        plain["a.b"] = new JsonObject { ["c"] = 2L };
        program.Evaluate(plain).AsInt.ShouldBe(2);
        var asObject = new JsonObject { ["a"] = new JsonObject(), ["a.b.c"] = 3L };
        program.Evaluate(asObject).AsInt.ShouldBe(3);
    }

    [Fact]
    public void Variables_of_every_host_form_select_alike()
    {
        const string expr = "parameters.resources.limits.cpu";
        var program = CelEnvironment.Default.Compile(expr);
        var json = Vars();
        IReadOnlyDictionary<string, JsonNode?> readOnly = new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonNode?>(json);
        var obj = new Dictionary<string, object?> { ["parameters"] = json["parameters"] };
        var cel = new Dictionary<string, CelValue> { ["parameters"] = CelValue.FromJson(json["parameters"]) };
        foreach (var v in new[] { program.Evaluate(json), program.Evaluate(readOnly), program.Evaluate(obj), program.Evaluate(cel) })
            v.AsString.ShouldBe("500m");
    }
}

/// <summary>Select chains far longer than any template's: bounded by the nesting limit, never by the stack.</summary>
public class LongSelectionChainTests
{
    private static readonly Dictionary<string, JsonNode?> Vars = new() { ["a"] = new JsonObject { ["a"] = new JsonObject() } };

    [Theory]
    [InlineData("a{0}", 20_001)]
    [InlineData("[{{'a': 1}}].map(i, i{0})", 20_002)]
    public void A_select_chain_of_thousands_of_fields_is_a_parse_error(string template, int depth)
    {
        string chain = string.Format(template, string.Concat(Enumerable.Repeat(".a", 20_000)));
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(chain));
        e.Reason.ShouldBe($"expression nesting depth {depth} exceeds the limit of 250");
        (e.Line, e.Column).ShouldBe((1, 1));
    }

    [Fact]
    public void A_chain_within_the_limit_fails_at_the_first_missing_field()
    {
        string chain = "a" + string.Concat(Enumerable.Repeat(".a", 200));
        var error = CelEnvironment.Default.Compile(chain).Evaluate(Vars).Error!;
        error.Kind.ShouldBe(CelErrorKind.NoSuchKey);
        error.Column.ShouldBe(4); // a.a.a: the third name (its dot at column 4) is the first that is missing
    }
}
