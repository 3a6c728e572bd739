using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>Structural-schema features exercised on a made-up kind.</summary>
public class SchemaFeatureTests
{
    private static void Valid(string schema, string spec) => Widgets.Create(schema, spec).ShouldBeEmpty();

    private static StatusCause Single(string schema, string spec) => Widgets.Create(schema, spec).ShouldHaveSingleItem();

    private const string Obj = """{"type":"object","properties":{"v":%}}""";

    private static string With(string property) => Obj.Replace("%", property);

    [Fact]
    public void Int_or_string_accepts_both_and_nothing_else()
    {
        var s = With("""{"x-kubernetes-int-or-string":true}""");
        Valid(s, """{"v":80}""");
        Valid(s, """{"v":"http"}""");
        Single(s, """{"v":1.5}""").ShouldBe(new StatusCause("spec.v", CauseReasons.TypeInvalid, "Invalid value: \"number\": must be of type integer or string"));
        Single(s, """{"v":true}""").Reason.ShouldBe(CauseReasons.TypeInvalid);
    }

    [Fact]
    public void Number_accepts_integers_and_fractions()
    {
        var s = With("""{"type":"number"}""");
        Valid(s, """{"v":1}""");
        Valid(s, """{"v":1.5}""");
        Single(s, """{"v":"1"}""").Message.ShouldBe("Invalid value: \"string\": must be of type number");
    }

    [Fact]
    public void Minimum_and_maximum_including_exclusive_bounds()
    {
        var s = With("""{"type":"integer","minimum":1,"maximum":10,"exclusiveMaximum":true}""");
        Valid(s, """{"v":1}""");
        Single(s, """{"v":0}""").ShouldBe(new StatusCause("spec.v", CauseReasons.Invalid, "Invalid value: 0: should be greater than or equal to 1"));
        Single(s, """{"v":10}""").ShouldBe(new StatusCause("spec.v", CauseReasons.Invalid, "Invalid value: 10: should be less than 10"));
        Single(With("""{"type":"number","exclusiveMinimum":true,"minimum":0}"""), """{"v":0}""").Message.ShouldBe("Invalid value: 0: should be greater than 0");
    }

    [Fact]
    public void Max_length_counts_runes_not_utf16_units()
    {
        var s = With("""{"type":"string","maxLength":3}""");
        Valid(s, """{"v":"😀😀😀"}""");
        Single(s, """{"v":"abcd"}""").ShouldBe(new StatusCause("spec.v", CauseReasons.TooLong, "Too long: may not be more than 3 characters"));
    }

    [Fact]
    public void Item_and_property_counts_are_bounded()
    {
        var list = With("""{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}}""");
        Single(list, """{"v":[]}""").ShouldBe(new StatusCause("spec.v", CauseReasons.Invalid, "Invalid value: 0: should have at least 1 items"));
        Single(list, """{"v":["a","b","c"]}""").ShouldBe(new StatusCause("spec.v", CauseReasons.TooMany, "Too many: 3: must have at most 2 items"));
        var map = With("""{"type":"object","minProperties":1,"maxProperties":1,"additionalProperties":{"type":"string"}}""");
        Single(map, """{"v":{}}""").Message.ShouldBe("Invalid value: 0: should have at least 1 properties");
        Single(map, """{"v":{"a":"1","b":"2"}}""").ShouldBe(new StatusCause("spec.v", CauseReasons.TooMany, "Too many: 2: must have at most 1 properties"));
    }

    [Fact]
    public void Set_lists_and_unique_items_refuse_duplicates()
    {
        var set = With("""{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}""");
        Single(set, """{"v":["a","b","a"]}""").ShouldBe(new StatusCause("spec.v[2]", CauseReasons.Duplicate, "Duplicate value: \"a\""));
        var unique = With("""{"type":"array","uniqueItems":true,"items":{"type":"integer"}}""");
        Single(unique, """{"v":[1,2,2]}""").ShouldBe(new StatusCause("spec.v[2]", CauseReasons.Duplicate, "Duplicate value: 2"));
        Valid(With("""{"type":"array","items":{"type":"string"}}"""), """{"v":["a","a"]}""");
    }

    [Fact]
    public void Set_duplicates_compare_numbers_by_value_and_objects_by_content()
    {
        var set = With("""{"type":"array","x-kubernetes-list-type":"set","x-kubernetes-preserve-unknown-fields":true}""");
        Single(set, """{"v":[1,"1",1.0]}""").Field.ShouldBe("spec.v[2]");
        Single(set, """{"v":[{"a":1,"b":2},{"b":2,"a":1}]}""").Field.ShouldBe("spec.v[1]");
        Valid(set, """{"v":[{"a":1},{"a":2},[1],[1,1]]}""");
    }

    [Fact]
    public void Map_list_items_correlate_by_key_for_ratcheting()
    {
        // The stored item "a" violates maxLength (say the schema tightened); an update that leaves it alone passes,
        // even when the list is reordered, but changing it re-validates it.
        var s = With("""
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
             "items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string","maxLength":3}}}}
            """);
        var v = Widgets.Validator(s);
        var old = Widgets.Widget("""{"v":[{"name":"a","value":"toolong"},{"name":"b","value":"ok"}]}""");
        v.ValidateUpdate(Widgets.Widget("""{"v":[{"name":"b","value":"new"},{"name":"a","value":"toolong"}]}"""), old).ShouldBeEmpty();
        v.ValidateUpdate(Widgets.Widget("""{"v":[{"name":"a","value":"toolong!"},{"name":"b","value":"ok"}]}"""), old)
            .ShouldBe([new StatusCause("spec.v[0].value", CauseReasons.TooLong, "Too long: may not be more than 3 characters")]);
        v.ValidateCreate(old).ShouldBe([new StatusCause("spec.v[0].value", CauseReasons.TooLong, "Too long: may not be more than 3 characters")]);
    }

    [Fact]
    public void Atomic_list_items_do_not_correlate()
    {
        var s = With("""{"type":"array","items":{"type":"string","maxLength":3}}""");
        var v = Widgets.Validator(s);
        var old = Widgets.Widget("""{"v":["toolong"]}""");
        v.ValidateUpdate(Widgets.Widget("""{"v":["toolong","ok"]}"""), old)
            .ShouldBe([new StatusCause("spec.v[0]", CauseReasons.TooLong, "Too long: may not be more than 3 characters")]);
    }

    [Fact]
    public void Map_lists_refuse_duplicate_keys()
    {
        var s = With("""
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","proto"],
             "items":{"type":"object","properties":{"name":{"type":"string"},"proto":{"type":"string"},"port":{"type":"integer"}}}}
            """);
        Valid(s, """{"v":[{"name":"a","proto":"TCP","port":1},{"name":"a","proto":"UDP","port":1}]}""");
        Single(s, """{"v":[{"name":"a","proto":"TCP","port":1},{"name":"a","proto":"TCP","port":2}]}""")
            .ShouldBe(new StatusCause("spec.v[1]", CauseReasons.Duplicate, "Duplicate value: {\"name\":\"a\",\"proto\":\"TCP\"}"));
    }

    [Fact]
    public void Nullable_allows_null_and_non_nullable_refuses_it()
    {
        Valid(With("""{"type":"string","nullable":true}"""), """{"v":null}""");
        Single(With("""{"type":"string"}"""), """{"v":null}""").ShouldBe(new StatusCause("spec.v", CauseReasons.TypeInvalid, "Invalid value: \"null\": must be of type string"));
    }

    [Fact]
    public void Additional_properties_true_allows_any_key_and_false_refuses_unknown_ones()
    {
        Valid(With("""{"type":"object","additionalProperties":true}"""), """{"v":{"a":1,"b":{"c":[]}}}""");
        Single(With("""{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"""), """{"v":{"a":1,"b":2}}""")
            .ShouldBe(new StatusCause("spec.v.b", CauseReasons.Unknown, "unknown field \"spec.v.b\""));
    }

    [Fact]
    public void Object_without_properties_accepts_no_fields()
    {
        Single(With("""{"type":"object"}"""), """{"v":{"a":1}}""").ShouldBe(new StatusCause("spec.v.a", CauseReasons.Unknown, "unknown field \"spec.v.a\""));
    }

    [Fact]
    public void Embedded_resources_need_apiVersion_and_kind_and_valid_metadata()
    {
        var s = With("""{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}""");
        Valid(s, """{"v":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"b"}}}""");
        var causes = Widgets.Create(s, """{"v":{"metadata":{"name":"Bad_Name","colour":"red"}}}""");
        causes.Select(c => (c.Field, c.Reason)).ShouldBe([
            ("spec.v.apiVersion", CauseReasons.Required),
            ("spec.v.kind", CauseReasons.Required),
            ("spec.v.metadata.colour", CauseReasons.Unknown),
            ("spec.v.metadata.name", CauseReasons.Invalid),
        ]);
    }

    [Theory]
    [InlineData("date-time", "2026-11-23T20:00:00Z", true)]
    [InlineData("date-time", "2026-11-23T20:00:00.123+02:00", true)]
    [InlineData("date-time", "2026-02-30T20:00:00Z", false)]
    [InlineData("date", "2026-11-23", true)]
    [InlineData("date", "23/11/2026", false)]
    [InlineData("uuid", "6f1c2f7e-8a55-4d52-9a7b-1e1e1e1e1e1e", true)]
    [InlineData("uuid", "not-a-uuid", false)]
    [InlineData("byte", "aGVsbG8=", true)]
    [InlineData("byte", "not base64!", false)]
    [InlineData("ipv4", "10.0.0.1", true)]
    [InlineData("ipv4", "10.0.0", false)]
    [InlineData("ipv6", "::1", true)]
    [InlineData("cidr", "10.0.0.0/8", true)]
    [InlineData("cidr", "10.0.0.0", false)]
    [InlineData("hostname", "api.openchoreo.localhost", true)]
    [InlineData("hostname", "bad_host", false)]
    [InlineData("int32", "anything", true)]
    [InlineData("made-up", "anything", true)]
    public void Formats_are_checked_where_kubernetes_checks_them(string format, string value, bool valid)
    {
        var causes = Widgets.Create(With($$"""{"type":"string","format":"{{format}}"}"""), $$"""{"v":"{{value}}"}""");
        if (valid) causes.ShouldBeEmpty();
        else causes.ShouldBe([new StatusCause("spec.v", CauseReasons.Invalid, $"Invalid value: \"{value}\": must be of type {format}")]);
    }

    [Fact]
    public void AnyOf_oneOf_and_not_constrain_values()
    {
        var anyOf = With("""{"type":"string","anyOf":[{"enum":["a"]},{"pattern":"^b"}]}""");
        Valid(anyOf, """{"v":"bee"}""");
        Single(anyOf, """{"v":"c"}""").ShouldBe(new StatusCause("spec.v", CauseReasons.Invalid, "Invalid value: \"c\": must validate at least one schema (anyOf)"));
        var oneOf = With("""{"type":"string","oneOf":[{"pattern":"^a"},{"pattern":"z$"}]}""");
        Valid(oneOf, """{"v":"ab"}""");
        Single(oneOf, """{"v":"az"}""").Message.ShouldBe("Invalid value: \"az\": must validate one and only one schema (oneOf)");
        Single(With("""{"type":"string","not":{"enum":["x"]}}"""), """{"v":"x"}""").Message.ShouldBe("Invalid value: \"x\": must not validate the schema (not)");
    }

    [Fact]
    public void Patterns_use_re2_meanings_of_classes()
    {
        var s = With("""{"type":"string","pattern":"^\\d+$"}""");
        Valid(s, """{"v":"123"}""");
        // \d is ASCII-only in RE2: Arabic-Indic digits do not match.
        Single(s, """{"v":"١٢٣"}""").Reason.ShouldBe(CauseReasons.Invalid);
    }

    [Fact]
    public void A_pattern_the_engine_cannot_run_is_reported_not_thrown()
    {
        var cause = Single(With("""{"type":"string","pattern":"^(a)\\1$"}"""), """{"v":"aa"}""");
        cause.Field.ShouldBe("spec.v");
        cause.Message.ShouldStartWith("Invalid value: \"aa\": the schema pattern '^(a)\\1$' cannot be evaluated");
    }
}
