namespace OpenChoreo.Cel;

/// <summary>A function implementation. Arguments are never errors (CEL functions are strict: an error argument is the result).</summary>
public delegate CelValue CelFunctionImpl(ReadOnlySpan<CelValue> args);

/// <summary>
/// One overload of a registered function: the argument kinds it accepts (null = any kind) and its implementation.
/// With <see cref="Variadic"/>, the last parameter kind repeats and fewer arguments than listed are not accepted.
/// With <see cref="ReceiverStyle"/>, the function is called as <c>target.name(args)</c> and the target is the first argument.
/// </summary>
public sealed record CelOverload(CelFunctionImpl Implementation, CelKind?[] Parameters, bool Variadic = false, bool ReceiverStyle = false)
{
    /// <summary>An overload taking <paramref name="arity"/> arguments of any kind.</summary>
    public static CelOverload Any(int arity, CelFunctionImpl implementation) =>
        new(implementation, new CelKind?[arity]);

    /// <summary>An overload taking at least <paramref name="minArgs"/> arguments of any kind.</summary>
    public static CelOverload AnyVariadic(int minArgs, CelFunctionImpl implementation) =>
        new(implementation, new CelKind?[Math.Max(minArgs, 1)], Variadic: true) { MinArgs = minArgs };

    /// <summary>The fewest arguments accepted (defaults to the parameter count).</summary>
    public int MinArgs { get; init; } = Parameters.Length;

    internal bool Accepts(int count) => Variadic ? count >= MinArgs : count == Parameters.Length;

    internal bool Matches(ReadOnlySpan<CelValue> args)
    {
        if (!Accepts(args.Length)) return false;
        for (int i = 0; i < args.Length; i++)
        {
            var k = Parameters.Length == 0 ? null : Parameters[Math.Min(i, Parameters.Length - 1)];
            if (k is { } kind && args[i].Kind != kind) return false;
        }
        return true;
    }
}
