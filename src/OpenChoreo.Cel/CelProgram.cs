using System.Text.Json.Nodes;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel;

/// <summary>
/// A compiled expression: immutable and safe to evaluate from many threads at once. Evaluation never throws for
/// expression errors; it returns an error value (<see cref="CelValue.IsError"/>) whose <see cref="CelError"/> carries
/// the kind and the line:column of the failing sub-expression.
/// </summary>
public sealed class CelProgram
{
    private readonly Node _root;
    private readonly int _slots;
    private readonly long _maxCost;

    internal CelProgram(string expression, Node root, int slots, long maxCost)
    {
        Expression = expression;
        _root = root;
        _slots = slots;
        _maxCost = maxCost;
    }

    /// <summary>The source text.</summary>
    public string Expression { get; }

    /// <summary>Evaluates against JSON variables (what YAML documents parse to).</summary>
    public CelValue Evaluate(IReadOnlyDictionary<string, JsonNode?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var frame = new Frame { JsonVars = variables, JsonDict = variables as Dictionary<string, JsonNode?> };
        return Run(ref frame);
    }

    /// <summary>Evaluates against plain .NET values (see <see cref="CelValue.FromObject"/>).</summary>
    public CelValue Evaluate(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var frame = new Frame { ObjectVars = variables };
        return Run(ref frame);
    }

    /// <summary>Evaluates against CEL values.</summary>
    public CelValue Evaluate(IReadOnlyDictionary<string, CelValue> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var frame = new Frame { CelVars = variables };
        return Run(ref frame);
    }

    /// <summary>Evaluates with each top-level property of <paramref name="variables"/> as a variable.</summary>
    public CelValue Evaluate(JsonObject variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var frame = new Frame { JsonObjectVars = variables };
        return Run(ref frame);
    }

    /// <summary>Evaluates with no variables.</summary>
    public CelValue Evaluate()
    {
        var frame = default(Frame);
        return Run(ref frame);
    }

    private CelValue Run(ref Frame frame)
    {
        frame.Budget = _maxCost;
        return _slots == 0 ? Execute(ref frame) : RunWithSlots(ref frame);
    }

    // Comprehension slots live on the stack when few (no allocation). A separate method, because the JIT zeroes a
    // method's stack buffers on entry: programs without comprehensions don't pay for them.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private CelValue RunWithSlots(ref Frame frame)
    {
        scoped var withSlots = frame;
        LocalBuffer buffer = default;
        withSlots.Locals = _slots <= LocalBuffer.Size ? buffer[.._slots] : new CelValue[_slots];
        return Execute(ref withSlots);
    }

    private CelValue Execute(ref Frame frame)
    {
        CelValue result;
        try
        {
            result = _root.Eval(ref frame);
        }
        catch (InsufficientExecutionStackException)
        {
            result = CelValue.FromError(CelErrorKind.BudgetExceeded, "evaluation nested too deeply");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result = CelValue.FromError(CelErrorKind.Internal, $"internal error: {e.GetType().Name}: {e.Message}");
        }
        if (frame.Exhausted)
            result = CelValue.FromError(CelErrorKind.BudgetExceeded, $"evaluation cost budget of {_maxCost} exceeded");
        if (result.IsError) return CelValue.FromError(result.Error!.WithPosition(Expression));
        return result;
    }

    public override string ToString() => Expression;
}
