using System.Diagnostics;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>Polls a condition until it holds or the deadline passes (no fixed sleeps).</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"Condition not met within {timeout}: {describe()}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, describe);

    public static Task HealthAsync(PodmanReleaseRuntime runtime, string release, string health, int seconds = 45) =>
        UntilAsync(() => runtime.GetHealth().Any(h => h.Name == release && h.Health == health), TimeSpan.FromSeconds(seconds),
            () => string.Join("; ", runtime.GetResourceStatus(release)?.Select(s => $"{s.Kind}/{s.Name}={s.Health} {s.Message}") ?? ["not held"]));
}
