namespace OpenChoreo.Validation;

/// <summary>Limits that keep validation work bounded whatever the input.</summary>
public sealed class ValidationOptions
{
    /// <summary>Causes reported before the rest are summarised as "too many errors".</summary>
    public int MaxCauses { get; init; } = 100;

    /// <summary>Deepest nesting of a value that is walked; deeper values are refused.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>
    /// Time allowed for one schema <c>pattern</c> match. Matching is linear-time (no backtracking), so this is a safety
    /// net generous enough not to fire on a busy machine.
    /// </summary>
    public TimeSpan PatternTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Total size of annotation keys and values (Kubernetes: 256 KiB).</summary>
    public int MaxAnnotationsBytes { get; init; } = 256 * 1024;

    public static ValidationOptions Default { get; } = new();

    internal void Check()
    {
        if (MaxCauses < 1) throw new ArgumentOutOfRangeException(nameof(MaxCauses), MaxCauses, "must be at least 1");
        if (MaxDepth < 4) throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "must be at least 4");
        if (PatternTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PatternTimeout), PatternTimeout, "must be positive");
        if (MaxAnnotationsBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxAnnotationsBytes), MaxAnnotationsBytes, "must be positive");
    }
}
