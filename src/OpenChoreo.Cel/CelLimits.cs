namespace OpenChoreo.Cel;

/// <summary>Bounds that keep hostile or runaway expressions cheap to reject.</summary>
public sealed record CelLimits
{
    public static CelLimits Default { get; } = new();

    /// <summary>Longest accepted expression text, in UTF-16 characters.</summary>
    public int MaxExpressionLength { get; init; } = 100_000;

    /// <summary>Deepest accepted nesting of the expression tree (parentheses, calls, operator chains...).</summary>
    public int MaxAstDepth { get; init; } = 250;

    /// <summary>Most arguments in one call.</summary>
    public int MaxCallArguments { get; init; } = 256;

    /// <summary>
    /// Cost budget of one evaluation: one unit per function call, per comprehension iteration and per literal element,
    /// plus the size of strings, lists and bytes that built-ins create. Exceeding it yields a
    /// <see cref="CelErrorKind.BudgetExceeded"/> error.
    /// </summary>
    public long MaxCost { get; init; } = 10_000_000;

    /// <summary>Compiled programs kept per environment (the cache is dropped wholesale when full).</summary>
    public int CompileCacheSize { get; init; } = 2048;
}
