using System.Diagnostics;

namespace OpenChoreo.Testing;

/// <summary>Waits on observable state with a deadline — the replacement for sleeps in tests.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting until {what}.");
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The same for a condition that has to read asynchronously (a store, an API); <paramref name="interval"/> spaces out
    /// checks that cost a request.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default,
        TimeSpan? interval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!await condition().ConfigureAwait(false))
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting until {what}.");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }
}
