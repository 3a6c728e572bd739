using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Runtime.Podman.Scheduling;

namespace OpenChoreo.Runtime.Podman;

/// <summary>A CronJob: its schedule and policies, and the Job it starts for each scheduled time.</summary>
internal sealed record CronJobModel(string Namespace, string Name, JsonObject Resource)
{
    public string Id => $"CronJob.{Namespace}.{Name}";
    public JsonObject Spec => Resource["spec"] as JsonObject ?? [];
    public string ScheduleText => ReleaseModel.Str(Spec, "schedule") ?? "";
    public string? TimeZoneName => ReleaseModel.Str(Spec, "timeZone");
    public bool Suspend => Spec["suspend"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>Allow (default), Forbid or Replace.</summary>
    public string ConcurrencyPolicy => ReleaseModel.Str(Spec, "concurrencyPolicy") ?? "Allow";
    public int StartingDeadlineSeconds => ReleaseModel.Int(Spec, "startingDeadlineSeconds", 0);
    public int SuccessfulJobsHistoryLimit => ReleaseModel.Int(Spec, "successfulJobsHistoryLimit", 3);
    public int FailedJobsHistoryLimit => ReleaseModel.Int(Spec, "failedJobsHistoryLimit", 1);

    /// <summary>The schedule and zone, or the reason they are unusable.</summary>
    public (CronSchedule? Schedule, TimeZoneInfo Zone, string? Problem) Parse()
    {
        CronSchedule schedule;
        try
        {
            schedule = CronSchedule.Parse(ScheduleText);
        }
        catch (FormatException e)
        {
            return (null, TimeZoneInfo.Utc, $"invalid schedule \"{ScheduleText}\": {e.Message}");
        }
        if (TimeZoneName is not { Length: > 0 } tz) return (schedule, TimeZoneInfo.Utc, null);
        try
        {
            return (schedule, TimeZoneInfo.FindSystemTimeZoneById(tz), null);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return (null, TimeZoneInfo.Utc, $"unknown time zone \"{tz}\"");
        }
    }

    /// <summary>The Job run for a scheduled time: named <c>&lt;cronjob&gt;-&lt;minutes since epoch&gt;</c>, as Kubernetes names them.</summary>
    public WorkloadModel RunFor(DateTimeOffset scheduled)
    {
        var template = Spec["jobTemplate"] as JsonObject ?? [];
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject
            {
                ["name"] = RunName(scheduled),
                ["namespace"] = Namespace,
                ["labels"] = (template["metadata"]?["labels"] ?? Resource["metadata"]?["labels"])?.DeepClone() ?? new JsonObject(),
            },
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
        return new WorkloadModel("Job", Namespace, RunName(scheduled), job);
    }

    public string RunName(DateTimeOffset scheduled) => $"{Name}-{scheduled.ToUnixTimeSeconds() / 60}";

    /// <summary>The scheduled time of a run's resource id, if the id is one of this CronJob's runs.</summary>
    public DateTimeOffset? ScheduledTimeOf(string resourceId)
    {
        var prefix = $"Job.{Namespace}.{Name}-";
        return resourceId.StartsWith(prefix, StringComparison.Ordinal)
               && long.TryParse(resourceId.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            ? DateTimeOffset.FromUnixTimeSeconds(minutes * 60)
            : null;
    }
}
