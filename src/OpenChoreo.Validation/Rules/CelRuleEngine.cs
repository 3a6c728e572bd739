using OpenChoreo.Cel;

namespace OpenChoreo.Validation.Rules;

/// <summary>
/// Runs <c>x-kubernetes-validations</c> rules with <see cref="OpenChoreo.Cel"/>. The cost budget per evaluation
/// matches Kubernetes' per-call limit, so one hostile value cannot make a rule run long.
/// </summary>
public sealed class CelRuleEngine : IRuleEngine
{
    /// <summary>Kubernetes' PerCallLimit for CRD validation rules.</summary>
    public const long PerCallCostLimit = 1_000_000;

    private readonly CelEnvironment _env;

    public CelRuleEngine(CelEnvironment? environment = null) =>
        _env = environment ?? CelEnvironment.Create(CelLimits.Default with { MaxCost = PerCallCostLimit });

    public static CelRuleEngine Shared { get; } = new();

    public ICompiledRule Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            return new CompiledCelRule(_env.Compile(expression), OldSelfScanner.References(expression));
        }
        catch (CelParseException e)
        {
            throw new RuleCompileException(e.Message);
        }
    }

    private sealed class CompiledCelRule(CelProgram program, bool referencesOldSelf) : ICompiledRule
    {
        public bool ReferencesOldSelf => referencesOldSelf;

        public RuleResult Evaluate(in RuleInput input)
        {
            var vars = new Dictionary<string, CelValue>(2, StringComparer.Ordinal)
            {
                ["self"] = CelValue.FromJson(input.Self),
            };
            if (input.OptionalOldSelf)
            {
                vars["oldSelf"] = input.HasOldSelf ? CelValue.OptionalOf(CelValue.FromJson(input.OldSelf)) : CelValue.OptionalNone;
            }
            else if (input.HasOldSelf)
            {
                vars["oldSelf"] = CelValue.FromJson(input.OldSelf);
            }

            var v = program.Evaluate(vars);
            return v.Kind switch
            {
                CelKind.Bool => RuleResult.FromBool(v.AsBool),
                CelKind.String => RuleResult.FromString(v.AsString),
                CelKind.Error => RuleResult.Failed(v.Error!.ToString()),
                _ => RuleResult.OtherType(v.Kind.ToString().ToLowerInvariant()),
            };
        }
    }
}
