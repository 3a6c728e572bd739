using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// CronJobs: on each reconcile, start the Job run of the latest schedule time that passed since the last one, as
/// concurrencyPolicy allows; runs are ordinary Jobs (backoffLimit, activeDeadlineSeconds) named
/// <c>&lt;cronjob&gt;-&lt;minutes since epoch&gt;</c>; finished runs beyond the history limits are removed. The last
/// schedule time is kept with the release's state, so an agent restart neither repeats nor replays runs.
/// </summary>
public sealed partial class PodmanReleaseRuntime
{
    /// <summary>Missed times beyond this are not caught up one by one: only the latest runs (Kubernetes' rule).</summary>
    private const int MaxMissedSchedules = 100;

    private async Task<ResourceStatus> ReconcileCronJobAsync(HeldState held, CronJobModel cj, ReleaseModel model, List<JsonNode?> existing,
        HashSet<string> desired, CancellationToken ct)
    {
        var (schedule, zone, problem) = cj.Parse();
        if (schedule is null) return new ResourceStatus("CronJob", cj.Namespace, cj.Name, ResourceHealth.Degraded, problem);
        var now = _time.GetUtcNow();

        // The runs that exist, each reconciled as a Job (which also retries failed attempts within backoffLimit).
        var runs = new List<(DateTimeOffset Time, ResourceStatus Status, List<string> Names)>();
        foreach (var group in existing.Select(c => (Container: c, Time: cj.ScheduledTimeOf(Label(c, PodmanLabels.Resource) ?? "")))
                     .Where(x => x.Time is not null).GroupBy(x => x.Time!.Value).OrderBy(g => g.Key))
        {
            var mine = group.Select(x => x.Container).ToList();
            runs.Add(await ReconcileRunAsync(held, cj, model, group.Key, mine, desired, ct).ConfigureAwait(false));
        }

        if (!held.CronLastSchedule.TryGetValue(cj.Id, out var last))
        {
            last = runs.Count > 0 ? runs[^1].Time : now; // a new CronJob does not replay the past
            held.CronLastSchedule[cj.Id] = last;
            Persist(held);
        }
        string? note = null;
        if (!cj.Suspend && LatestDue(schedule, zone, last, now) is { } due)
        {
            held.CronLastSchedule[cj.Id] = due;
            Persist(held);
            var active = runs.Where(r => r.Status.Health == ResourceHealth.Progressing).ToList();
            if (cj.StartingDeadlineSeconds > 0 && now - due > TimeSpan.FromSeconds(cj.StartingDeadlineSeconds))
                note = $"missed the run at {due:u}: more than startingDeadlineSeconds ({cj.StartingDeadlineSeconds}) late";
            else if (cj.ConcurrencyPolicy == "Forbid" && active.Count > 0)
                note = $"skipped the run at {due:u}: the previous run is still active (concurrencyPolicy Forbid)";
            else
            {
                if (cj.ConcurrencyPolicy == "Replace")
                {
                    foreach (var a in active) desired.ExceptWith(a.Names); // pruned below: the replaced run stops
                    runs.RemoveAll(r => active.Contains(r));
                }
                runs.Add(await ReconcileRunAsync(held, cj, model, due, [], desired, ct).ConfigureAwait(false));
            }
        }

        // History: keep the newest successful and failed runs within their limits; the rest are pruned.
        foreach (var old in runs.Where(r => r.Status.Health == ResourceHealth.Healthy).OrderByDescending(r => r.Time).Skip(cj.SuccessfulJobsHistoryLimit)
                     .Concat(runs.Where(r => r.Status.Health == ResourceHealth.Degraded).OrderByDescending(r => r.Time).Skip(cj.FailedJobsHistoryLimit)))
            desired.ExceptWith(old.Names);

        if (cj.Suspend) return new ResourceStatus("CronJob", cj.Namespace, cj.Name, ResourceHealth.Suspended, "CronJobSuspended");
        var next = schedule.Next(now, zone);
        var latest = runs.Count > 0 ? runs.MaxBy(r => r.Time) : default;
        var message = $"CronJobScheduled: next run at {next:u}"
                      + (latest.Status is { } s ? $"; last run {cj.RunName(latest.Time)}: {s.Health switch { ResourceHealth.Healthy => "succeeded", ResourceHealth.Degraded => "failed: " + s.Message, _ => "running" }}" : "")
                      + (note is null ? "" : "; " + note);
        return new ResourceStatus("CronJob", cj.Namespace, cj.Name, ResourceHealth.Healthy, message);
    }

    private async Task<(DateTimeOffset Time, ResourceStatus Status, List<string> Names)> ReconcileRunAsync(HeldState held, CronJobModel cj, ReleaseModel model,
        DateTimeOffset time, List<JsonNode?> mine, HashSet<string> desired, CancellationToken ct)
    {
        var run = cj.RunFor(time);
        var plan = ContainerPlan.Build(run, model, []);
        if (plan.Problems.Count > 0)
            return (time, new ResourceStatus("Job", cj.Namespace, run.Name, ResourceHealth.Degraded, string.Join("; ", plan.Problems)), [.. mine.Select(Name)]);
        // A run made from an older template stays as it ran: judged from its containers, never retried with the new one.
        if (mine.Count > 0 && mine.All(c => Label(c, PodmanLabels.TemplateHash) != plan.Hash))
        {
            foreach (var c in mine) desired.Add(Name(c));
            var state = mine.Any(c => (string?)c?["State"] == "running") ? ResourceHealth.Progressing
                : mine.Any(c => ((string?)c?["Status"] ?? "").Contains("(0)", StringComparison.Ordinal)) ? ResourceHealth.Healthy : ResourceHealth.Degraded;
            return (time, new ResourceStatus("Job", cj.Namespace, run.Name, state, "ran with an earlier template"), [.. mine.Select(Name)]);
        }
        WriteFiles(held.Request.Name, plan);
        var before = new HashSet<string>(desired, StringComparer.Ordinal);
        var status = await ReconcileJobAsync(held, run, plan, mine, desired, ct).ConfigureAwait(false);
        return (time, status, [.. mine.Select(Name).Concat(desired.Except(before))]);
    }

    /// <summary>The latest schedule time in (last, now], or null.</summary>
    private static DateTimeOffset? LatestDue(Scheduling.CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset last, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        var t = last;
        for (var i = 0; i <= MaxMissedSchedules && schedule.Next(t, zone) is { } n && n <= now; i++) (due, t) = (n, n);
        // More missed times than that: jump to the newest one directly.
        if (due is { } d && schedule.Next(d, zone) is { } more && more <= now)
        {
            var probe = now.AddMinutes(-1);
            while (schedule.Next(probe, zone) is { } p && p > now) probe = probe.AddMinutes(-60);
            for (var guard = 0; guard < 10_000 && schedule.Next(probe, zone) is { } p && p <= now; guard++) (due, probe) = (p, p);
        }
        return due;
    }
}
