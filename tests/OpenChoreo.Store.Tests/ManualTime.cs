namespace OpenChoreo.Store.Tests;

/// <summary>A clock the test sets; timers still run on real time.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
