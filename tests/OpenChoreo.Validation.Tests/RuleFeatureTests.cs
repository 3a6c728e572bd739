using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>x-kubernetes-validations options (fieldPath, reason, messageExpression, optionalOldSelf) on a made-up kind.</summary>
public class RuleFeatureTests
{
    private static string Spec(string rulesJson) =>
        """{"type":"object","properties":{"a":{"type":"integer"},"m":{"type":"object","additionalProperties":{"type":"string"}}},"x-kubernetes-validations":""" + rulesJson + "}";

    [Fact]
    public void FieldPath_moves_the_error_to_the_named_field()
    {
        var causes = Widgets.Create(Spec("""[{"rule":"self.a > 1","message":"a must exceed 1","fieldPath":".a"}]"""), """{"a":1}""");
        causes.ShouldBe([new StatusCause("spec.a", CauseReasons.Invalid, "Invalid value: \"object\": a must exceed 1")]);
        Widgets.Create(Spec("""[{"rule":"false","message":"no","fieldPath":".m['x-y']"}]"""), "{}")
            .ShouldHaveSingleItem().Field.ShouldBe("spec.m[x-y]");
    }

    [Fact]
    public void Reason_selects_the_cause_reason()
    {
        Widgets.Create(Spec("""[{"rule":"has(self.a)","message":"a is needed","reason":"FieldValueRequired"}]"""), "{}")
            .ShouldBe([new StatusCause("spec", CauseReasons.Required, "Required value: a is needed")]);
        Widgets.Create(Spec("""[{"rule":"!has(self.a)","message":"a is not allowed","reason":"FieldValueForbidden"}]"""), """{"a":1}""")
            .ShouldBe([new StatusCause("spec", CauseReasons.Forbidden, "Forbidden: a is not allowed")]);
    }

    [Fact]
    public void MessageExpression_wins_over_message_and_missing_message_names_the_rule()
    {
        Widgets.Create(Spec("""[{"rule":"self.a < 5","message":"static","messageExpression":"'a is ' + string(self.a)"}]"""), """{"a":7}""")
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": a is 7")]);
        Widgets.Create(Spec("""[{"rule":"self.a < 5","message":"static","messageExpression":"self.a"}]"""), """{"a":7}""")
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": static")]);
        Widgets.Create(Spec("""[{"rule":"self.a < 5"}]"""), """{"a":7}""")
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": failed rule: self.a < 5")]);
    }

    [Fact]
    public void A_rule_that_does_not_return_bool_is_an_error()
    {
        var cause = Widgets.Create(Spec("""[{"rule":"self.a","message":"x"}]"""), """{"a":1}""").ShouldHaveSingleItem();
        cause.Message.ShouldBe("Invalid value: \"object\": rule evaluation error: the rule returned int instead of bool, evaluating rule: self.a");
    }

    [Fact]
    public void A_rule_that_does_not_compile_is_reported_as_an_internal_error()
    {
        var cause = Widgets.Create(Spec("""[{"rule":"self.a >","message":"x"}]"""), """{"a":1}""").ShouldHaveSingleItem();
        cause.Field.ShouldBe("spec");
        cause.Message.ShouldStartWith("Internal error: the schema rule \"self.a >\" does not compile: ");
    }

    [Fact]
    public void Optional_old_self_runs_on_create_with_no_value()
    {
        var schema = Spec("""[{"rule":"!oldSelf.hasValue() || self.a >= oldSelf.value().a","message":"a may only grow","optionalOldSelf":true}]""");
        var validator = Widgets.Validator(schema);
        validator.ValidateCreate(Widgets.Widget("""{"a":3}""")).ShouldBeEmpty();
        validator.ValidateUpdate(Widgets.Widget("""{"a":2}"""), Widgets.Widget("""{"a":3}"""))
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": a may only grow")]);
    }

    [Fact]
    public void Optional_old_self_makes_a_transition_rule_run_on_create()
    {
        // Without optionalOldSelf this rule (it mentions oldSelf) would be skipped on create.
        var schema = Spec("""[{"rule":"[oldSelf].size() == 1 && self.a > 0","message":"a must be positive","optionalOldSelf":true}]""");
        Widgets.Validator(schema).ValidateCreate(Widgets.Widget("""{"a":0}"""))
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": a must be positive")]);
        var plain = Spec("""[{"rule":"[oldSelf].size() == 1 && self.a > 0","message":"a must be positive"}]""");
        Widgets.Validator(plain).ValidateCreate(Widgets.Widget("""{"a":0}""")).ShouldBeEmpty();
    }

    [Fact]
    public void Optional_old_self_is_none_on_create_and_the_old_value_on_update()
    {
        var schema = Spec("""[{"rule":"!oldSelf.hasValue() || self.a >= oldSelf.value().a","message":"a may only grow","optionalOldSelf":true}]""");
        var validator = Widgets.Validator(schema);
        validator.ValidateCreate(Widgets.Widget("""{"a":3}""")).ShouldBeEmpty();
        validator.ValidateUpdate(Widgets.Widget("""{"a":4}"""), Widgets.Widget("""{"a":3}""")).ShouldBeEmpty();
        validator.ValidateUpdate(Widgets.Widget("""{"a":2}"""), Widgets.Widget("""{"a":3}"""))
            .ShouldBe([new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": a may only grow")]);
    }

    [Fact]
    public void Rules_under_map_values_run_per_entry_with_the_key_in_the_path()
    {
        var schema = """
            {"type":"object","properties":{"m":{"type":"object","additionalProperties":
              {"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('x')","message":"must start with x"}]}}}}
            """;
        Widgets.Create(schema, """{"m":{"ok":"xa","bad":"ya"}}""")
            .ShouldBe([new StatusCause("spec.m[bad]", CauseReasons.Invalid, "Invalid value: \"string\": must start with x")]);
    }

    [Fact]
    public void A_pluggable_rule_engine_is_used_when_given()
    {
        var engine = new CountingEngine();
        var kind = Widgets.Validator(Spec("""[{"rule":"anything","message":"m"}]"""));
        var validator = new ObjectValidator(new KindRegistry([KindRegistry(kind)]), engine);
        validator.ValidateCreate(Widgets.Widget("{}")).ShouldBeEmpty();
        validator.ValidateCreate(Widgets.Widget("{}")).ShouldBeEmpty();
        engine.Compiles.ShouldBe(1); // compiled once per schema node, then cached
        engine.Evaluations.ShouldBe(2);
    }

    private static ResourceKind KindRegistry(ObjectValidator v) =>
        v.CheckKind(Widgets.Widget("{}")).Kind!;

    private sealed class CountingEngine : Rules.IRuleEngine
    {
        public int Compiles;
        public int Evaluations;

        public Rules.ICompiledRule Compile(string expression)
        {
            Interlocked.Increment(ref Compiles);
            return new Rule(this);
        }

        private sealed class Rule(CountingEngine owner) : Rules.ICompiledRule
        {
            public bool ReferencesOldSelf => false;

            public Rules.RuleResult Evaluate(in Rules.RuleInput input)
            {
                Interlocked.Increment(ref owner.Evaluations);
                input.Self.ShouldBeOfType<JsonObject>();
                return Rules.RuleResult.True;
            }
        }
    }
}
