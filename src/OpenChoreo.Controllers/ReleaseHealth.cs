using System.Text.Json.Nodes;
using OpenChoreo.Model;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers;

/// <summary>
/// Derives a binding's ResourcesReady condition from the health the delivery side reports in
/// <c>Release.status.resources[].healthStatus</c> (Unknown | Progressing | Healthy | Suspended | Degraded). As upstream,
/// the primary workload (the resource whose kind matches the ComponentType's workloadType) decides, with a degraded
/// secondary resource still failing the binding.
/// </summary>
internal static class ReleaseHealth
{
    public const string Unknown = "Unknown";
    public const string Progressing = "Progressing";
    public const string Healthy = "Healthy";
    public const string Suspended = "Suspended";
    public const string Degraded = "Degraded";

    /// <summary>The Kubernetes kind of a workloadType's primary resource ("" when the type is not a known one).</summary>
    public static string PrimaryKind(string? workloadType) => workloadType switch
    {
        "deployment" => "Deployment",
        "statefulset" => "StatefulSet",
        "cronjob" => "CronJob",
        "job" => "Job",
        _ => "",
    };

    /// <summary>ResourcesReady for <paramref name="release"/> (its status written by the delivery side).</summary>
    public static Condition Evaluate(ResourceObject? release, string? workloadType)
    {
        if (release is null) return NotReady(R.ReleaseNotCreated, "no Release exists for this binding");
        var ready = Conditions.Get(release, "Ready");
        // A delivery problem (agent disconnected, plane gone) makes the reported health stale: say so.
        if (ready is { IsTrue: false } && IsDeliveryProblem(ready.Reason))
            return NotReady(ready.Reason, $"release {release.Name}: {ready.Message}");
        if (ready is { ObservedGeneration: > 0 } && ready.ObservedGeneration < release.Generation)
            return NotReady(R.ResourcesProgressing, $"the data plane has not reported on generation {release.Generation} of release {release.Name} yet");

        var resources = (release.Status?["resources"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var declared = (release.Spec?["resources"] as JsonArray)?.Count ?? 0;
        if (resources.Count == 0 && declared > 0) return NotReady(R.ResourcesProgressing, $"waiting for the data plane to report the resources of release {release.Name}");

        var degraded = resources.FirstOrDefault(r => Health(r) == Degraded);
        var kind = PrimaryKind(workloadType);
        var primary = kind.Length == 0 ? null : resources.FirstOrDefault(r => (string?)r["kind"] == kind);
        if (kind.Length > 0 && primary is null)
            return NotReady(R.ResourcesProgressing, $"waiting for the data plane to report the {kind} of release {release.Name}");
        if (primary is not null && Health(primary) == Degraded) return NotReady(KindFailed(kind), $"{Describe(primary)} is degraded");
        if (degraded is not null) return NotReady(R.ResourcesDegraded, $"{Describe(degraded)} is degraded");
        if (primary is null)
        {
            // No primary workload type: every resource counts.
            var pending = resources.FirstOrDefault(r => Health(r) is Progressing);
            return pending is null
                ? new Condition(R.ResourcesReady, Condition.True, R.ResourcesReady, "all resources are healthy")
                : NotReady(R.ResourcesProgressing, $"{Describe(pending)} is progressing");
        }
        var h = Health(primary);
        return (kind, h) switch
        {
            ("CronJob", Healthy) => Ok(R.CronJobScheduled, $"{Describe(primary)} is scheduled"),
            ("CronJob", Suspended) => Ok(R.CronJobSuspended, $"{Describe(primary)} is suspended"),
            ("Job", Healthy) => Ok(R.JobCompleted, $"{Describe(primary)} completed"),
            ("Job", Suspended) => Ok(R.ReadyWithSuspendedResources, $"{Describe(primary)} is suspended"),
            ("Job", _) => NotReady(R.JobRunning, $"{Describe(primary)} is running"),
            (_, Healthy) => Ok(R.ResourcesReady, $"{Describe(primary)} is healthy"),
            (_, Suspended) => Ok(R.ReadyWithSuspendedResources, $"{Describe(primary)} is suspended"),
            _ => NotReady(R.ResourcesProgressing, $"{Describe(primary)} is {h.ToLowerInvariant()}"),
        };
    }

    /// <summary>Release reasons that mean the plane is not receiving or confirming what we deliver.</summary>
    private static bool IsDeliveryProblem(string reason) =>
        reason is "Orphaned" or "AgentDisconnected" or "DataPlaneNotFound" ||
        reason.EndsWith("Failed", StringComparison.Ordinal) || reason.EndsWith("Disconnected", StringComparison.Ordinal);

    private static string KindFailed(string kind) => kind == "Job" ? R.JobFailed : R.ResourcesDegraded;

    private static string Health(JsonObject r) => (string?)r["healthStatus"] ?? Unknown;

    private static string Describe(JsonObject r) => $"{(string?)r["kind"]} {(string?)r["name"]}";

    private static Condition Ok(string reason, string message) => new(R.ResourcesReady, Condition.True, reason, message);

    private static Condition NotReady(string reason, string message) => new(R.ResourcesReady, Condition.False, reason, message);
}
