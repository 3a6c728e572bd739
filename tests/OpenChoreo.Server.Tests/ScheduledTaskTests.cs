namespace OpenChoreo.Server.Tests;

/// <summary>The scheduled task sample on the real <c>up</c>: its development binding sets an every-minute schedule and a run completes.</summary>
public sealed class ScheduledTaskTests(UpFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private UpInstance Up => fixture.Up;

    [Fact]
    public async Task Scheduled_task_runs_on_its_schedule_and_its_run_succeeds_with_its_output()
    {
        var apply = await Up.OccAsync("apply", "-f", "samples/scheduled-task/scheduled-task.yaml");
        apply.Code.ShouldBe(0, apply.ToString());
        apply.Out.ShouldContain("component.openchoreo.dev/nightly-report created");

        await Up.WaitAsync("nightly-report is Ready in development", TimeSpan.FromSeconds(90), async () =>
        {
            var (ready, _, _) = await Up.StatusAsync("nightly-report", "development");
            return ready == "True" ? null : ready;
        }, Ct);

        // Every minute: the first run starts at the next minute boundary.
        string? finished = null;
        await Up.WaitAsync("a run of nightly-report exited 0", TimeSpan.FromSeconds(100), async () =>
        {
            var runs = await Up.ContainersAsync("openchoreo.dev/component=nightly-report");
            finished = runs.Where(c => (string?)c!["State"] == "exited" && (int?)c["ExitCode"] == 0).Select(c => (string?)c!["Id"]).FirstOrDefault();
            return finished is null ? $"runs: {string.Join(", ", runs.Select(c => $"{c!["State"]}({c["ExitCode"]})"))}" : null;
        }, Ct);

        var logs = await Up.PodmanAsync("logs", finished!);
        logs.Code.ShouldBe(0, logs.ToString());
        logs.Out.ShouldMatch(@"nightly-report: run on \S+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, 42 items");

        var delete = await Up.OccAsync("delete", "component", "nightly-report");
        delete.Code.ShouldBe(0, delete.ToString());
        await Up.WaitAsync("no container of nightly-report is left", TimeSpan.FromSeconds(60), async () =>
            (await Up.ContainersAsync("openchoreo.dev/component=nightly-report")).Count == 0 ? null : "containers remain", Ct);
    }
}
