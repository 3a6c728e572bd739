using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Schema;

namespace OpenChoreo.Rendering.Tests;

public class SchemaTests
{
    private static SchemaNode Parse(string json, string? types = null)
    {
        ShorthandSchema.TryParse(JsonNode.Parse(json), types is null ? null : (JsonObject)JsonNode.Parse(types)!, "spec.schema.parameters", out var s, out var errors)
            .ShouldBeTrue(string.Join("; ", errors));
        return s;
    }

    private static List<StatusCause> Errors(string json, string? types = null)
    {
        ShorthandSchema.TryParse(JsonNode.Parse(json), types is null ? null : (JsonObject)JsonNode.Parse(types)!, "spec.schema.parameters", out _, out var errors)
            .ShouldBeFalse();
        return errors;
    }

    [Fact]
    public void Shorthand_converts_to_a_structural_json_schema()
    {
        var s = Parse("""
            {"replicas": "integer | default=1 minimum=0 maximum=10",
             "name": "string | minLength=1 maxLength=20 pattern=^[a-z]+$ description=\"The name\"",
             "tags": "[]string | minItems=1 uniqueItems=true",
             "env": "map<string>",
             "limits": "map[string]integer",
             "mode": "string | enum=a,b,c default=b",
             "ratio": "number | exclusiveMinimum=true minimum=0 multipleOf=0.5",
             "flags": "array<boolean> | maxItems=3",
             "oc": "string | default=x oc:scaffold=hidden"}
            """);
        var js = JsonSchemaWriter.ToJsonSchema(s).ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        js.ShouldBe("""{"type":"object","properties":{"replicas":{"type":"integer","default":1,"minimum":0,"maximum":10},"name":{"type":"string","description":"The name","minLength":1,"maxLength":20,"pattern":"^[a-z]+$"},"tags":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true},"env":{"type":"object","additionalProperties":{"type":"string"}},"limits":{"type":"object","additionalProperties":{"type":"integer"}},"mode":{"type":"string","default":"b","enum":["a","b","c"]},"ratio":{"type":"number","minimum":0,"exclusiveMinimum":true,"multipleOf":0.5},"flags":{"type":"array","items":{"type":"boolean"},"maxItems":3},"oc":{"type":"string","default":"x"}},"required":["name","tags","env","limits","ratio","flags"]}""");
    }

    [Fact]
    public void Custom_types_and_nested_defaults_apply_recursively()
    {
        var s = Parse("""{"resources": "ResourceRequirements | default={}"}""",
            """{"ResourceRequirements": {"requests": "ResourceQuantity | default={}"}, "ResourceQuantity": {"cpu": "string | default=100m", "memory": "string | default=256Mi"}}""");
        var value = new JsonObject();
        SchemaOps.ApplyDefaults(value, s);
        value.ToJsonString().ShouldBe("""{"resources":{"requests":{"cpu":"100m","memory":"256Mi"}}}""");
    }

    [Fact]
    public void Dollar_default_gives_a_nested_map_its_default()
    {
        var s = Parse("""{"resources": {"$default": {}, "limits": {"$default": {}, "cpu": "string | default=1"}}}""");
        var v = new JsonObject();
        SchemaOps.ApplyDefaults(v, s);
        v.ToJsonString().ShouldBe("""{"resources":{"limits":{"cpu":"1"}}}""");
        s.Required.ShouldBeEmpty();
    }

    [Fact]
    public void Prune_removes_undeclared_fields_but_keeps_map_entries()
    {
        var s = Parse("""{"a": "string", "env": "map<string>", "list": "[]Item"}""", """{"Item": {"x": "integer"}}""");
        var v = (JsonObject)JsonNode.Parse("""{"a":"1","zzz":2,"env":{"k":"v"},"list":[{"x":1,"y":2}]}""")!;
        SchemaOps.Prune(v, s);
        v.ToJsonString().ShouldBe("""{"a":"1","env":{"k":"v"},"list":[{"x":1}]}""");
    }

    [Fact]
    public void Validation_reports_field_paths()
    {
        var s = Parse("""{"replicas": "integer | minimum=1", "mode": "string | enum=a,b", "items": "[]Item"}""", """{"Item": {"port": "integer"}}""");
        var errors = new List<StatusCause>();
        SchemaOps.Validate(JsonNode.Parse("""{"replicas":"three","mode":"c","items":[{"port":1},{}]}"""), s, "spec.parameters", errors);
        errors.ShouldBe([
            new StatusCause("spec.parameters.replicas", CauseReasons.TypeInvalid, "must be of type integer, got string \"three\""),
            new StatusCause("spec.parameters.mode", CauseReasons.NotSupported, "\"c\" is not one of the supported values: \"a\", \"b\""),
            new StatusCause("spec.parameters.items[1].port", CauseReasons.Required, "required value"),
        ]);
    }

    [Fact]
    public void Numeric_bounds_are_enforced()
    {
        var s = Parse("""{"n": "integer | minimum=1 maximum=5", "r": "number | minimum=0 exclusiveMinimum=true"}""");
        var errors = new List<StatusCause>();
        SchemaOps.Validate(JsonNode.Parse("""{"n":6,"r":0}"""), s, "p", errors);
        errors.Select(e => e.ToString()).ShouldBe(["p.n: must be less than or equal to 5", "p.r: must be greater than 0"]);
    }

    [Fact]
    public void Remaining_markers_reach_the_json_schema() =>
        JsonSchemaWriter.ToJsonSchema(Parse("""
            {"pct": "number | maximum=100 exclusiveMaximum=true example=42.5",
             "tags": "map<string> | minProperties=1 maxProperties=3 example={\"a\":\"b\"}"}
            """)).ToJsonString().ShouldBe(
            """{"type":"object","properties":{"pct":{"type":"number","maximum":100,"exclusiveMaximum":true,"example":42.5},"tags":{"type":"object","additionalProperties":{"type":"string"},"minProperties":1,"maxProperties":3,"example":{"a":"b"}}},"required":["pct","tags"]}""");

    [Fact]
    public void Every_constraint_marker_is_enforced_with_its_field_path()
    {
        var s = Parse("""
            {"list": "[]string | minItems=1 maxItems=2 uniqueItems=true",
             "short": "string | minLength=2 maxLength=3 pattern=^[a-z]+$",
             "step": "integer | multipleOf=5",
             "pct": "number | maximum=100 exclusiveMaximum=true",
             "few": "map<integer> | minProperties=1 maxProperties=1"}
            """);
        var errors = new List<StatusCause>();
        SchemaOps.Validate(JsonNode.Parse("""{"list":["a","a","b"],"short":"ABCD","step":7,"pct":100,"few":{}}"""), s, "p", errors);
        errors.Select(e => e.ToString()).ShouldBe([
            "p.list: must have at most 2 items",
            "p.list[1]: duplicate of item 0",
            "p.short: must be at most 3 characters long",
            "p.short: \"ABCD\" does not match the pattern ^[a-z]+$",
            "p.step: must be a multiple of 5",
            "p.pct: must be less than 100",
            "p.few: must have at least 1 properties",
        ]);
        errors.Clear();
        SchemaOps.Validate(JsonNode.Parse("""{"list":[],"short":"a","step":10,"pct":99.5,"few":{"a":1,"b":2}}"""), s, "p", errors);
        errors.Select(e => e.ToString()).ShouldBe([
            "p.list: must have at least 1 items",
            "p.short: must be at least 2 characters long",
            "p.few: must have at most 1 properties",
        ]);
    }

    [Fact]
    public void Dollar_default_of_a_nested_map_is_validated_against_its_fields() =>
        Errors("""{"limits": {"$default": {"cpu": 2}, "cpu": "string | default=1"}}""").ShouldBe([
            new StatusCause("spec.schema.parameters.limits.$default.cpu", CauseReasons.TypeInvalid, "default value is invalid: must be of type string, got integer 2")]);

    [Fact]
    public void Required_marker_is_rejected_as_upstream_does() =>
        Errors("""{"a": "string | required=true"}""").ShouldBe([new StatusCause("spec.schema.parameters.a", CauseReasons.NotSupported,
            "marker \"required\" is not supported: a field is required unless it has a default")]);

    [Fact]
    public void Bare_object_type_is_rejected() =>
        Errors("""{"a": "object"}""").Single().Message.ShouldStartWith("bare type \"object\" is not allowed");

    [Fact]
    public void Unknown_type_is_rejected() =>
        Errors("""{"a": "Widget"}""").ShouldBe([new StatusCause("spec.schema.parameters.a", CauseReasons.NotFound,
            "unknown type \"Widget\" (not a built-in type and not declared in schema.types)")]);

    [Fact]
    public void Default_of_the_wrong_type_is_rejected() =>
        Errors("""{"a": "integer | default=abc"}""").ShouldBe([new StatusCause("spec.schema.parameters.a", CauseReasons.Invalid,
            "marker default: \"abc\" is not an integer")]);

    [Fact]
    public void Default_outside_the_schema_bounds_is_rejected() =>
        Errors("""{"a": "integer | default=0 minimum=1"}""").ShouldBe([new StatusCause("spec.schema.parameters.a", CauseReasons.Invalid,
            "default value is invalid: must be greater than or equal to 1")]);

    [Fact]
    public void Unknown_marker_is_rejected() =>
        Errors("""{"a": "string | colour=red"}""").Single().Message.ShouldBe("unknown marker \"colour\"");

    [Fact]
    public void Self_referencing_type_is_rejected() =>
        Errors("""{"a": "Node"}""", """{"Node": {"next": "Node"}}""").ShouldContain(e => e.Message == "type \"Node\" refers to itself");

    [Fact]
    public void Quoted_values_keep_spaces_and_empty_strings() =>
        JsonSchemaWriter.ToJsonSchema(Parse("""{"a": "string | default=\"\" description='two words'"}""")).ToJsonString()
            .ShouldBe("""{"type":"object","properties":{"a":{"type":"string","description":"two words","default":""}}}""");

    [Fact]
    public void Component_schemas_serve_parameters_and_env_overrides()
    {
        var spec = (JsonObject)JsonNode.Parse("""{"schema":{"parameters":{"port":"integer | default=80"},"envOverrides":{"cpu":"string"}}}""")!;
        ComponentSchemas.ToJsonSchema(spec).ToJsonString().ShouldBe(
            """{"type":"object","properties":{"parameters":{"type":"object","properties":{"port":{"type":"integer","default":80}}},"envOverrides":{"type":"object","properties":{"cpu":{"type":"string"}},"required":["cpu"]}}}""");
    }

    [Fact]
    public void Component_schema_errors_become_an_invalid_api_error()
    {
        var spec = (JsonObject)JsonNode.Parse("""{"schema":{"parameters":{"port":"int"}}}""")!;
        var e = Should.Throw<ApiException>(() => ComponentSchemas.ToJsonSchema(spec));
        e.Code.ShouldBe(422);
        e.Causes.Single().Field.ShouldBe("spec.schema.parameters.port");
    }
}
