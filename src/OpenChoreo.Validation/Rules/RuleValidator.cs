using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Validation.Schema;

namespace OpenChoreo.Validation.Rules;

/// <summary>
/// Evaluates <c>x-kubernetes-validations</c> over a value that passed schema validation: each rule with
/// <c>self</c> bound to the value at its node. Transition rules (those referring to <c>oldSelf</c>) run only on
/// update and only where a correlated old value exists; other rules are skipped where the value did not change
/// (ratcheting). Rules are compiled once per schema node and cached there.
/// </summary>
internal sealed class RuleValidator(IRuleEngine engine, CauseList causes)
{
    public void Validate(JsonNode? value, Correlation old, SchemaNode schema, FieldPath path, bool unchanged = false)
    {
        if (causes.Full || !schema.HasRulesBelow || value is null || value.GetValueKind() == JsonValueKind.Null) return;
        unchanged = unchanged || (old.Exists && JsonTypes.DeepEquals(value, old.Value));

        foreach (var rule in schema.Rules)
        {
            if (causes.Full) return;
            Evaluate(rule, value, old, schema, path, unchanged);
        }

        switch (value)
        {
            case JsonObject obj:
                var oldObj = old.Value as JsonObject;
                foreach (var (key, child) in obj)
                {
                    var childSchema = schema.ChildSchema(key);
                    if (childSchema is null || !childSchema.HasRulesBelow) continue;
                    var childOld = oldObj is not null && oldObj.TryGetPropertyValue(key, out var o) ? new Correlation(true, o) : Correlation.None;
                    var childPath = schema.Properties?.ContainsKey(key) == true ? path.Child(key) : path.Key(key);
                    Validate(child, childOld, childSchema, childPath, unchanged);
                }
                break;
            case JsonArray arr when schema.Items is { HasRulesBelow: true } items:
                var correlation = ListCorrelation.For(old.Value as JsonArray, schema);
                for (var i = 0; i < arr.Count; i++)
                {
                    Validate(arr[i], correlation.Find(arr[i]), items, path.Index(i), unchanged);
                }
                break;
        }
    }

    private void Evaluate(RuleSpec rule, JsonNode value, Correlation old, SchemaNode schema, FieldPath path, bool unchanged)
    {
        ICompiledRule compiled;
        try
        {
            compiled = Compiled(rule);
        }
        catch (RuleCompileException e)
        {
            causes.Add(new StatusCause(path.ToString(), CauseReasons.Invalid,
                $"Internal error: the schema rule {Quoted(rule.Rule)} does not compile: {e.Message}"));
            return;
        }

        if (compiled.ReferencesOldSelf)
        {
            if (!old.Exists && !rule.OptionalOldSelf) return;
        }
        else if (unchanged)
        {
            return;
        }

        var input = new RuleInput(value, old.Value, old.Exists, rule.OptionalOldSelf);
        var result = compiled.Evaluate(input);
        var type = schema.Type ?? JsonTypes.NameOf(value);
        var errorPath = RuleFieldPath.Append(path, rule.FieldPath);
        switch (result.Kind)
        {
            case RuleResultKind.Bool when result.Bool:
                return;
            case RuleResultKind.Bool:
                causes.Add(Failure(rule, input, errorPath, type));
                return;
            case RuleResultKind.Error:
                causes.Add(new StatusCause(errorPath.ToString(), CauseReasons.Invalid,
                    $"Invalid value: \"{type}\": rule evaluation error: {result.Text}, evaluating rule: {rule.Rule}"));
                return;
            default:
                causes.Add(new StatusCause(errorPath.ToString(), CauseReasons.Invalid,
                    $"Invalid value: \"{type}\": rule evaluation error: the rule returned {result.Text} instead of bool, evaluating rule: {rule.Rule}"));
                return;
        }
    }

    private StatusCause Failure(RuleSpec rule, in RuleInput input, FieldPath path, string type)
    {
        var message = MessageOf(rule, input);
        return rule.Reason switch
        {
            CauseReasons.Forbidden => FieldErrors.Forbidden(path, message),
            CauseReasons.Required => FieldErrors.Required(path, message),
            CauseReasons.Duplicate => FieldErrors.DuplicateText(path, message),
            _ => new StatusCause(path.ToString(), CauseReasons.Invalid, $"Invalid value: \"{type}\": {message}"),
        };
    }

    // messageExpression wins when it yields a usable one-line string; otherwise message, then the rule itself.
    private string MessageOf(RuleSpec rule, in RuleInput input)
    {
        if (rule.MessageExpression is { } expr)
        {
            try
            {
                var compiled = (ICompiledRule)(rule.CompiledMessage ??= engine.Compile(expr));
                var r = compiled.Evaluate(input);
                if (r.Kind == RuleResultKind.String && !string.IsNullOrWhiteSpace(r.Text) && !r.Text.Contains('\n')) return r.Text;
            }
            catch (RuleCompileException)
            {
                // fall back to the static message
            }
        }
        return string.IsNullOrEmpty(rule.Message) ? $"failed rule: {rule.Rule}" : rule.Message;
    }

    private ICompiledRule Compiled(RuleSpec rule) => (ICompiledRule)(rule.Compiled ??= engine.Compile(rule.Rule));

    private static string Quoted(string s) => FieldErrors.Quote(s);
}
