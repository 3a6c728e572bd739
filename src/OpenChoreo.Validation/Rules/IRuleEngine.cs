using System.Text.Json.Nodes;

namespace OpenChoreo.Validation.Rules;

/// <summary>
/// Compiles <c>x-kubernetes-validations</c> rules (CEL). Kept behind an interface so validation does not depend on
/// one expression engine; <c>CelRuleEngine</c> is the implementation used by default.
/// </summary>
public interface IRuleEngine
{
    /// <summary>Compiles <paramref name="expression"/>; throws <see cref="RuleCompileException"/> when it is not valid.</summary>
    ICompiledRule Compile(string expression);
}

/// <summary>A compiled rule, safe to evaluate from many threads.</summary>
public interface ICompiledRule
{
    /// <summary>Whether the expression refers to <c>oldSelf</c> (a transition rule, evaluated only on update).</summary>
    bool ReferencesOldSelf { get; }

    RuleResult Evaluate(in RuleInput input);
}

/// <summary>
/// The variables of one evaluation: <c>self</c> is the value at the schema node; <c>oldSelf</c> is the correlated
/// old value on update. With <see cref="OptionalOldSelf"/> the engine binds <c>oldSelf</c> as a CEL optional
/// (none when <see cref="HasOldSelf"/> is false).
/// </summary>
public readonly record struct RuleInput(JsonNode? Self, JsonNode? OldSelf, bool HasOldSelf, bool OptionalOldSelf);

public enum RuleResultKind { Bool, String, Other, Error }

/// <summary>What an evaluation produced: a bool (rules), a string (messageExpression), another type, or an error.</summary>
public readonly record struct RuleResult(RuleResultKind Kind, bool Bool = false, string? Text = null)
{
    public static RuleResult True { get; } = new(RuleResultKind.Bool, true);
    public static RuleResult False { get; } = new(RuleResultKind.Bool, false);

    public static RuleResult FromBool(bool value) => value ? True : False;

    public static RuleResult FromString(string value) => new(RuleResultKind.String, Text: value);

    public static RuleResult OtherType(string typeName) => new(RuleResultKind.Other, Text: typeName);

    public static RuleResult Failed(string message) => new(RuleResultKind.Error, Text: message);
}

public sealed class RuleCompileException(string message) : Exception(message);
