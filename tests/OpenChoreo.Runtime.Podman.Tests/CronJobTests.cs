using System.Text.Json.Nodes;
using OpenChoreo.Testing;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>
/// CronJobs on real podman. Schedule decisions read the runtime's clock, so the test moves a manual clock across minute
/// boundaries instead of waiting for them; the runs themselves are real containers.
/// </summary>
public sealed class CronJobTests(PodmanFixture podman)
{
    private const string Ns = "cell-cron";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject CronJob(string name, string script, string policy = "Allow", bool suspend = false, int keep = 2) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "CronJob",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
        ["spec"] = new JsonObject
        {
            ["schedule"] = "* * * * *",
            ["concurrencyPolicy"] = policy,
            ["suspend"] = suspend,
            ["successfulJobsHistoryLimit"] = keep,
            ["jobTemplate"] = new JsonObject { ["spec"] = Manifests.Job(Ns, name, script)["spec"]!.DeepClone() },
        },
    };

    private async Task<List<string>> RunsAsync(string release) =>
        [.. (await podman.Client.ListContainersAsync(Ct, $"openchoreo.dev/release={release}")).Select(c => (string)c!["Labels"]!["openchoreo.dev/resource"]!).Distinct().Order()];

    private static ResourceStatus CronStatus(PodmanReleaseRuntime runtime, string release) =>
        runtime.GetResourceStatus(release)?.SingleOrDefault(s => s.Kind == "CronJob")
        ?? new ResourceStatus("CronJob", Ns, release, ResourceHealth.Unknown, "not reported: " + string.Join("; ", runtime.GetResourceStatus(release) ?? []));

    [Fact]
    public async Task Runs_each_minute_keeps_its_history_limit_and_stops_when_suspended()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero));
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("cron"), time: clock, ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("tick", 1, CronJob("tick", "echo tick")), Ct);
        await Wait.UntilAsync(() => runtime.GetResourceStatus("tick")?.Any(s => s.Kind == "CronJob") == true, TimeSpan.FromSeconds(20), () => "no status yet");
        CronStatus(runtime, "tick").ShouldBe(new ResourceStatus("CronJob", Ns, "tick", ResourceHealth.Healthy, "CronJobScheduled: next run at 2026-01-01 00:01:00Z"));
        (await RunsAsync("tick")).ShouldBeEmpty(); // a new CronJob does not replay the past

        for (var minute = 1; minute <= 3; minute++)
        {
            clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, minute, 5, TimeSpan.Zero));
            var run = $"tick-{new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 60}";
            await Wait.UntilAsync(() => CronStatus(runtime, "tick").Message?.Contains($"last run {run}: succeeded") == true,
                TimeSpan.FromSeconds(45), () => CronStatus(runtime, "tick").Message ?? "");
        }
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 60;
        await Wait.UntilAsync(async () => (await RunsAsync("tick")).Count == 2, TimeSpan.FromSeconds(20), () => "history not trimmed");
        (await RunsAsync("tick")).ShouldBe([$"Job.{Ns}.tick-{start + 2}", $"Job.{Ns}.tick-{start + 3}"]);

        await runtime.ApplyAsync(Manifests.Release("tick", 2, CronJob("tick", "echo tick", suspend: true)), Ct);
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, 4, 5, TimeSpan.Zero));
        await Wait.UntilAsync(() => CronStatus(runtime, "tick").Health == ResourceHealth.Suspended, TimeSpan.FromSeconds(20), () => CronStatus(runtime, "tick").ToString());
        CronStatus(runtime, "tick").Message.ShouldBe("CronJobSuspended");
        (await RunsAsync("tick")).ShouldBe([$"Job.{Ns}.tick-{start + 2}", $"Job.{Ns}.tick-{start + 3}"]);
        await runtime.DeleteAsync("tick", Ct);
    }

    [Fact]
    public async Task Forbid_skips_a_run_while_the_previous_one_is_active()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero));
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("cronforbid"), time: clock, ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("slow", 1, CronJob("slow", "sleep 300", policy: "Forbid")), Ct);
        await Wait.UntilAsync(() => runtime.GetResourceStatus("slow")?.Any(s => s.Kind == "CronJob") == true, TimeSpan.FromSeconds(20), () => "no status yet");

        clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, 1, 5, TimeSpan.Zero));
        await Wait.UntilAsync(() => CronStatus(runtime, "slow").Message?.Contains(": running") == true, TimeSpan.FromSeconds(45), () => CronStatus(runtime, "slow").Message ?? "");
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, 2, 5, TimeSpan.Zero));
        await Wait.UntilAsync(() => CronStatus(runtime, "slow").Message?.Contains("skipped the run at 2026-01-01 00:02:00Z: the previous run is still active (concurrencyPolicy Forbid)") == true,
            TimeSpan.FromSeconds(20), () => CronStatus(runtime, "slow").Message ?? "");
        (await RunsAsync("slow")).Count.ShouldBe(1);
        await runtime.DeleteAsync("slow", Ct);
        (await RunsAsync("slow")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_invalid_schedule_is_degraded_with_the_reason()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("cronbad"), ct: Ct);
        var cj = CronJob("bad", "true");
        cj["spec"]!["schedule"] = "61 * * * *";
        await runtime.ApplyAsync(Manifests.Release("bad", 1, cj), Ct);
        await Wait.UntilAsync(() => runtime.GetResourceStatus("bad")?.Any(s => s.Kind == "CronJob") == true, TimeSpan.FromSeconds(20), () => "no status yet");
        CronStatus(runtime, "bad").ShouldBe(new ResourceStatus("CronJob", Ns, "bad", ResourceHealth.Degraded, "invalid schedule \"61 * * * *\": minute: \"61\" is not a value from 0 to 59"));
        (await RunsAsync("bad")).ShouldBeEmpty();
        await runtime.DeleteAsync("bad", Ct);
    }
}
