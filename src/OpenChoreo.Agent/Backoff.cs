namespace OpenChoreo.Agent;

/// <summary>Exponential backoff with full jitter: delay n is uniform in [0, min(cap, base·2ⁿ)]. Reset after a good connection.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(_random.NextDouble() * ceiling);
    }

    /// <summary>The upper bound of the next delay (for logging and tests).</summary>
    public TimeSpan NextCeiling => TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30))));

    public void Reset() => _attempt = 0;
}
