using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

public class LimitTests
{
    [Fact]
    public void Causes_are_capped_with_a_too_many_errors_cause()
    {
        var spec = new JsonObject();
        for (var i = 0; i < 500; i++) spec[$"f{i}"] = i;
        var obj = Objects.Component();
        obj.Node["spec"] = spec;
        var causes = ObjectValidator.Shared.ValidateCreate(obj);
        causes.Count.ShouldBe(101);
        causes[^1].ShouldBe(new StatusCause("", CauseReasons.TooMany, "too many errors: only the first 100 are reported"));
    }

    [Fact]
    public void The_cap_is_configurable()
    {
        var v = new ObjectValidator(options: new ValidationOptions { MaxCauses = 2 });
        var obj = Objects.Component();
        obj.Node["spec"] = new JsonObject { ["a"] = 1, ["b"] = 2, ["c"] = 3 };
        v.ValidateCreate(obj).Select(c => c.Field).ShouldBe(["spec.owner", "spec.a", ""]);
    }

    [Fact]
    public void Too_deep_objects_are_refused_before_walking()
    {
        JsonNode deep = new JsonObject();
        for (var i = 0; i < 100; i++) deep = new JsonObject { ["x"] = deep };
        var obj = Objects.Component();
        obj.Spec!["parameters"] = deep;
        ObjectValidator.Shared.ValidateCreate(obj)
            .ShouldBe([new StatusCause("", CauseReasons.Invalid, "the object nests deeper than 64 levels")]);
    }

    [Fact]
    public void Bad_options_fail_at_construction()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ObjectValidator(options: new ValidationOptions { MaxCauses = 0 }))
            .ParamName.ShouldBe("MaxCauses");
        Should.Throw<ArgumentOutOfRangeException>(() => new ObjectValidator(options: new ValidationOptions { PatternTimeout = TimeSpan.Zero }))
            .ParamName.ShouldBe("PatternTimeout");
    }

    [Fact]
    public void Huge_string_values_are_truncated_in_messages()
    {
        var obj = Objects.Component();
        obj.Spec!["componentType"] = new string('X', 10_000);
        var cause = Objects.WithoutRulesNote(ObjectValidator.Shared.ValidateCreate(obj)).ShouldHaveSingleItem();
        cause.Field.ShouldBe("spec.componentType");
        cause.Message.Length.ShouldBeLessThan(400);
        cause.Message.ShouldContain("(truncated)");
    }
}
