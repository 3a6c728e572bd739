using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>
/// Release controller (leader only; upstream semantics, inventory §1.7 item 3, adapted to agent delivery). Delivery
/// itself runs on every gateway replica (<c>ReleaseDelivery</c>) and writes what agents report; this controller:
/// adds the finalizer <c>openchoreo.dev/dataplane-cleanup</c>; says Ready=False/AgentDisconnected while the plane's
/// agent is away (from the plane's lease-based <c>Connected</c> condition, valid on any replica) and Progressing until
/// the agent reports the current generation; and on deletion drops the finalizer once the holding replica confirmed
/// the agent removed the release (<c>Finalizing=True/Removed</c>) or the DataPlane is gone or being deleted
/// (Ready=False/Orphaned) — a deletion never hangs on a plane that will not return. Requeues after 10 s while
/// progressing and 5 min once settled, as upstream. A Release labelled for an ObservabilityPlane (ours, see
/// <see cref="ReleasePlane"/>) is handled the same way against that plane (not found: ObservabilityPlaneNotFound).
/// </summary>
public sealed partial class ReleaseReconciler(IResourceStore store, TimeProvider time, ILogger<ReleaseReconciler> logger) : IReconciler
{
    public static readonly TimeSpan ProgressingInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan SettledInterval = TimeSpan.FromMinutes(5);

    /// <summary>±20 % jitter (as upstream), so many Releases created together do not requeue in lockstep.</summary>
    private static ReconcileResult After(TimeSpan interval) => ReconcileResult.After(interval * (0.8 + 0.4 * Random.Shared.NextDouble()));

    /// <summary>The Connected condition of the plane written by the gateway's PlaneStatusTracker.</summary>
    private const string ConnectedCondition = "Connected";

    /// <summary>Last seen (connected, deleting) per plane (kind/namespace/name): heartbeats rewrite plane status often; only real changes wake Releases.</summary>
    private readonly ConcurrentDictionary<string, (bool Connected, bool Deleting)> _planes = new(StringComparer.Ordinal);

    public string Name => "release";

    public string Kind => "Release";

    public IReadOnlyList<SecondaryWatch> Watches => [new("DataPlane", MapPlaneAsync), new("ObservabilityPlane", MapPlaneAsync)];

    private async Task<IEnumerable<ResourceKey>> MapPlaneAsync(ResourceObject plane, IResourceStore s, CancellationToken ct)
    {
        // A Deleted event carries the plane's last state, so ask the store whether it still exists.
        var live = await s.GetAsync(ResourceKey.Of(plane), ct);
        var state = live is null ? (false, true) : (IsConnected(live), live.DeletionTimestamp is not null);
        var key = plane.Kind + "/" + plane.Namespace + "/" + plane.Name;
        if (_planes.TryGetValue(key, out var before) && before == state) return [];
        _planes[key] = state;
        return (await s.ListAsync(new ListOptions(Kind, plane.Namespace)
        {
            Filter = r => ReleasePlane.Of(r) is { } p && p.Kind == plane.Kind && p.Name == plane.Name,
        }, ct)).Items.Select(ResourceKey.Of);
    }

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        try
        {
            var release = await store.GetAsync(key, ct);
            if (release is null) return ReconcileResult.Done;
            return release.DeletionTimestamp is not null ? await FinalizeAsync(release, ct) : await ObserveAsync(release, ct);
        }
        catch (ApiException e) when (e.Code is 409 or 404)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50)); // a concurrent write (often a status report): look again
        }
    }

    private async Task<ReconcileResult> ObserveAsync(ResourceObject release, CancellationToken ct)
    {
        if (!release.Finalizers.Contains(ReleaseStatusNames.Finalizer))
        {
            release.SetFinalizers([.. release.Finalizers, ReleaseStatusNames.Finalizer]);
            release = await store.UpdateAsync(release, UpdateScope.Main, ct);
        }
        var target = ReleasePlane.Of(release);
        var plane = string.IsNullOrEmpty(target?.Name) ? null : await store.GetAsync(new ResourceKey(target.Kind, release.Namespace, target.Name), ct);
        if (plane is null)
        {
            await SetReadyAsync(release, Condition.False,
                target?.Type == ReleasePlane.ObservabilityPlaneType ? ReleaseStatusNames.ObservabilityPlaneNotFound : ReleaseStatusNames.DataPlaneNotFound,
                string.IsNullOrEmpty(target?.Name) ? $"the release has no {Labels.DataPlane} label" : $"{target.Kind} \"{target.Name}\" not found in namespace \"{release.Namespace}\"", ct);
            return After(SettledInterval); // the plane appearing wakes the release through the watch
        }
        var ready = Conditions.Get(release, ReleaseStatusNames.Ready);
        if (plane.DeletionTimestamp is not null)
        {
            await SetReadyAsync(release, Condition.False, ReleaseStatusNames.Orphaned, $"{plane.Kind} \"{plane.Name}\" is being deleted", ct);
            return After(SettledInterval);
        }
        if (!IsConnected(plane))
        {
            // What the agent last reported stays in status.resources; Ready says it is not current.
            await SetReadyAsync(release, Condition.False, ReleaseStatusNames.AgentDisconnected, $"the agent of {plane.Kind} \"{plane.Name}\" is not connected", ct);
            return After(SettledInterval); // the plane's Connected flipping wakes the release
        }
        var current = ready is not null && ready.ObservedGeneration == release.Generation &&
            ready.Reason is not (ReleaseStatusNames.AgentDisconnected or ReleaseStatusNames.DataPlaneNotFound or ReleaseStatusNames.ObservabilityPlaneNotFound
                or ReleaseStatusNames.Orphaned);
        if (!current)
        {
            await SetReadyAsync(release, Condition.False, ReleaseStatusNames.Progressing,
                $"delivering generation {release.Generation} to {plane.Kind} \"{plane.Name}\"", ct);
            return After(ProgressingInterval);
        }
        return After(ready!.Reason is ReleaseStatusNames.Delivered or ReleaseStatusNames.Suspended ? SettledInterval : ProgressingInterval);
    }

    private async Task<ReconcileResult> FinalizeAsync(ResourceObject release, CancellationToken ct)
    {
        if (!release.Finalizers.Contains(ReleaseStatusNames.Finalizer)) return ReconcileResult.Done;
        var target = ReleasePlane.Of(release);
        var planeName = target?.Name;
        var planeKind = target?.Kind ?? "DataPlane";
        if (Conditions.Get(release, ReleaseStatusNames.Finalizing) is { Reason: ReleaseStatusNames.Removed, IsTrue: true })
        {
            await RemoveFinalizerAsync(release, ct);
            LogRemoved(logger, release.Namespace, release.Name, planeName ?? "");
            return ReconcileResult.Done;
        }
        var plane = string.IsNullOrEmpty(planeName) ? null : await store.GetAsync(new ResourceKey(planeKind, release.Namespace, planeName), ct);
        if (plane is null || plane.DeletionTimestamp is not null)
        {
            // Nobody will ever confirm: record why, then let the release go.
            release = await SetReadyAsync(release, Condition.False, ReleaseStatusNames.Orphaned,
                $"{planeKind} \"{planeName}\" is gone; what it ran is no longer managed", ct);
            await RemoveFinalizerAsync(release, ct);
            LogOrphaned(logger, release.Namespace, release.Name, planeName ?? "");
            return ReconcileResult.Done;
        }
        var connected = IsConnected(plane);
        var now = time.GetUtcNow();
        if (Conditions.Set(release, new Condition(ReleaseStatusNames.Finalizing, Condition.False, ReleaseStatusNames.WaitingForAgent,
                connected ? $"waiting for the agent of {planeKind} \"{plane.Name}\" to remove the release" : $"waiting for the agent of {planeKind} \"{plane.Name}\" to reconnect and remove the release",
                release.Generation), now))
        {
            await store.UpdateAsync(release, UpdateScope.Status, ct);
        }
        // The confirmation and the plane changing both wake the release; the requeue is a safety net.
        return After(ProgressingInterval);
    }

    private async Task RemoveFinalizerAsync(ResourceObject release, CancellationToken ct)
    {
        release.SetFinalizers(release.Finalizers.Where(f => f != ReleaseStatusNames.Finalizer).ToList());
        await store.UpdateAsync(release, UpdateScope.Main, ct);
    }

    private async Task<ResourceObject> SetReadyAsync(ResourceObject release, string status, string reason, string message, CancellationToken ct)
    {
        var changed = Conditions.Set(release, new Condition(ReleaseStatusNames.Ready, status, reason, message, release.Generation), time.GetUtcNow());
        if (!changed) return release;
        LogReady(logger, release.Namespace, release.Name, status, reason);
        return await store.UpdateAsync(release, UpdateScope.Status, ct);
    }

    private static bool IsConnected(ResourceObject plane) =>
        plane.DeletionTimestamp is null && Conditions.Get(plane, ConnectedCondition) is { IsTrue: true };

    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Release {Namespace}/{Name}: Ready={Status} ({Reason})")]
    private static partial void LogReady(ILogger logger, string @namespace, string name, string status, string reason);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Release {Namespace}/{Name} removed from plane {Plane}; finalizer released")]
    private static partial void LogRemoved(ILogger logger, string @namespace, string name, string plane);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Release {Namespace}/{Name} orphaned: plane {Plane} is gone; finalizer released")]
    private static partial void LogOrphaned(ILogger logger, string @namespace, string name, string plane);
}
