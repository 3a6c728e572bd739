using System.Diagnostics;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>
/// Not a timed assertion: prints apply → first healthy replica times (p50) so they can be quoted. Run with
/// <c>dotnet test --project tests/OpenChoreo.Runtime.Podman.Tests -- --filter-method "*first_healthy*"</c>.
/// </summary>
public sealed class ReadinessTimingTests(PodmanFixture podman)
{
    [Fact]
    public async Task Apply_to_first_healthy_replica_is_reported()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("timing"), ct: ct);
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            await runtime.ApplyAsync(Manifests.Release("t", i + 1, Manifests.Deployment("cell-timing", "t" + i, readiness: Manifests.HttpReadiness())), ct);
            await Wait.HealthAsync(runtime, "t", "Healthy");
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        TestContext.Current.SendDiagnosticMessage($"apply -> first healthy replica: p50 {times[2]:F0} ms (runs: {string.Join(", ", times.Select(t => t.ToString("F0")))})");
        TestContext.Current.TestOutputHelper!.WriteLine($"apply -> first healthy replica: p50 {times[2]:F0} ms (runs: {string.Join(", ", times.Select(t => t.ToString("F0")))})");
        times.Count.ShouldBe(5);
        await runtime.DeleteAsync("t", ct);
    }
}
