using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// Release delivery, on every control-plane replica (not only the leader): watches Release objects and wakes the
/// delivery loop of each agent session this replica holds for the Release's plane (label
/// <c>openchoreo.dev/dataplane</c>, or <c>openchoreo.dev/observabilityplane</c> for an observability plane); the loop applies and deletes what differs (see <see cref="ClusterGateway"/>).
/// Because the desired state is read from the store, the replica that holds an agent delivers whatever replica wrote
/// the Release. It also writes what agents report into <c>Release.status</c> (per-resource health and the Ready
/// condition) and, once an agent no longer holds a Release being deleted, the <c>Finalizing=True/Removed</c>
/// confirmation that lets the release controller drop its finalizer.
/// </summary>
public sealed partial class ReleaseDelivery : BackgroundService
{
    /// <summary>A full pass over every session even without changes: a safety net under the watch.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromMinutes(5);

    private const int MaxMessageLength = 1024;

    private readonly IResourceStore _store;
    private readonly ClusterGateway _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<ReleaseDelivery> _logger;

    /// <summary>What a Release looked like last time (plane, generation, deleting): status-only writes wake nothing.</summary>
    private readonly ConcurrentDictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    private sealed record Seen(PlaneIdentity? Plane, long Generation, bool Deleting);

    public ReleaseDelivery(IResourceStore store, ClusterGateway gateway, TimeProvider time, ILogger<ReleaseDelivery> logger)
    {
        _store = store;
        _gateway = gateway;
        _time = time;
        _logger = logger;
        _gateway.StatusSink = WriteReportAsync;
        _gateway.Synced += (plane, held) => _ = ConfirmRemovedAsync(plane, held);
    }

    protected override Task ExecuteAsync(CancellationToken ct) => Task.WhenAll(WatchLoopAsync(ct), PeriodicLoopAsync(ct));

    private async Task PeriodicLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ResyncPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) _gateway.RequestSyncAll();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task WatchLoopAsync(CancellationToken ct)
    {
        var retry = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _store.ListAsync(new ListOptions(StoreDesiredReleases.Kind), ct).ConfigureAwait(false);
                _seen.Clear();
                foreach (var r in list.Items) Observe(r, WatchEventType.Added);
                _gateway.RequestSyncAll(); // anything may have changed while the watch was down
                await foreach (var e in _store.WatchAsync(new ListOptions(StoreDesiredReleases.Kind), list.ResourceVersion, ct).ConfigureAwait(false))
                {
                    if (e.Type == WatchEventType.Bookmark) continue;
                    var before = _seen.GetValueOrDefault(Key(e.Object));
                    var after = Observe(e.Object, e.Type);
                    if (before == after) continue; // a status write: nothing to deliver
                    if (before?.Plane is { } oldPlane) _gateway.RequestSync(oldPlane);
                    if (after?.Plane is { } newPlane && newPlane != before?.Plane) _gateway.RequestSync(newPlane);
                }
                retry = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // 410 (fell behind the history) or a store failure: relist.
                LogWatchFailed(_logger, e.Message);
                try
                {
                    await Task.Delay(retry, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromMilliseconds(Math.Min(retry.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private Seen? Observe(ResourceObject r, WatchEventType type)
    {
        var key = Key(r);
        if (type == WatchEventType.Deleted)
        {
            _seen.TryRemove(key, out _);
            return null;
        }
        var state = new Seen(PlaneOf(r), r.Generation, r.DeletionTimestamp is not null);
        _seen[key] = state;
        return state;
    }

    private static string Key(ResourceObject r) => r.Namespace + "/" + r.Name;

    internal static PlaneIdentity? PlaneOf(ResourceObject release)
    {
        if (ReleasePlane.Of(release) is not { } p) return null;
        try
        {
            return new PlaneIdentity(release.Namespace, p.Type, p.Name);
        }
        catch (ArgumentException)
        {
            return null; // not a valid plane name: no agent can hold it
        }
    }

    /// <summary>Writes one report into the status of the plane's own Releases (reports about other Releases are ignored).</summary>
    private async Task WriteReportAsync(PlaneIdentity plane, StatusReport report, CancellationToken ct)
    {
        if (!ReleasePlane.Delivers(plane.PlaneType)) return;
        var now = _time.GetUtcNow();
        foreach (var health in report.Releases)
        {
            try
            {
                await StatusPatcher.PatchAsync(_store, new ResourceKey(StoreDesiredReleases.Kind, plane.Organization, health.Name),
                    (obj, status) => Apply(obj, status, plane, health, now), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStatusWriteFailed(_logger, health.Name, plane.ToString(), e.Message);
            }
        }
    }

    /// <summary>Sets status.resources and Ready from a report; false (no write) when stale, foreign or unchanged.</summary>
    internal static bool Apply(ResourceObject obj, JsonObject status, PlaneIdentity plane, ReleaseHealth health, DateTimeOffset now)
    {
        if (!StoreDesiredReleases.IsOf(obj, plane) || obj.DeletionTimestamp is not null) return false;
        // A report about an older generation or another resource set says nothing about this one.
        if (health.Generation != obj.Generation || health.Checksum != ReleaseChecksum.Of(obj)) return false;
        var overall = Normalize(health.Health);
        var message = Truncate(health.Message);
        var resources = new JsonArray();
        var previous = (status["resources"] as JsonArray)?.OfType<JsonObject>().ToDictionary(r => (string?)r["id"] ?? "", StringComparer.Ordinal) ?? [];
        foreach (var item in (obj.Spec?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var id = (string?)item["id"];
            if (item["object"] is not JsonObject o || string.IsNullOrEmpty(id)) continue;
            var kind = Str(o["kind"]);
            var name = Str(o["metadata"]?["name"]);
            if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name)) continue;
            var ns = Str(o["metadata"]?["namespace"]) ?? "";
            var apiVersion = Str(o["apiVersion"]) ?? "v1";
            var slash = apiVersion.LastIndexOf('/');
            var entry = new JsonObject
            {
                ["id"] = id,
                ["group"] = slash < 0 ? "" : apiVersion[..slash],
                ["version"] = slash < 0 ? apiVersion : apiVersion[(slash + 1)..],
                ["kind"] = kind,
                ["name"] = name,
                ["namespace"] = ns,
                ["healthStatus"] = ResourceHealthOf(health, overall, id, kind, name, ns),
            };
            // lastObservedTime moves only when what was observed changes, so a repeated report writes nothing.
            var prev = previous.GetValueOrDefault(id);
            entry["lastObservedTime"] = prev is not null && SameExceptTime(prev, entry) ? prev["lastObservedTime"]?.DeepClone() : ResourceObject.FormatTime(now);
            resources.Add(entry);
        }
        var changed = !JsonNode.DeepEquals(status["resources"], resources);
        if (changed) status["resources"] = resources;
        var (value, reason) = overall switch
        {
            "Healthy" => (Condition.True, ReleaseStatusNames.Delivered),
            "Suspended" => (Condition.True, ReleaseStatusNames.Suspended),
            "Progressing" => (Condition.False, ReleaseStatusNames.Progressing),
            "Degraded" => (Condition.False, ReleaseStatusNames.Degraded),
            _ => (Condition.Unknown, ReleaseStatusNames.HealthUnknown),
        };
        var text = message ?? $"{overall} on {plane.PlaneType} {plane.PlaneName} (generation {obj.Generation})";
        changed |= Conditions.Set(obj, new Condition(ReleaseStatusNames.Ready, value, reason, text, obj.Generation), now);
        return changed;
    }

    private static string ResourceHealthOf(ReleaseHealth health, string overall, string id, string kind, string name, string ns)
    {
        if (health.Resources is null) return overall; // the runtime gives no breakdown: the release's health stands for all
        var match = health.Resources.FirstOrDefault(r => r.Id == id)
            ?? health.Resources.FirstOrDefault(r => r.Id is null && r.Kind == kind && r.Name == name && (r.Namespace is null || ns.Length == 0 || r.Namespace == ns));
        return match is null ? "Unknown" : Normalize(match.Health);
    }

    private static bool SameExceptTime(JsonObject a, JsonObject b) =>
        a.Where(kv => kv.Key != "lastObservedTime").All(kv => JsonNode.DeepEquals(kv.Value, b[kv.Key])) &&
        b.Where(kv => kv.Key != "lastObservedTime").All(kv => a.ContainsKey(kv.Key));

    private static string Normalize(string? health) => health is not null && ReleaseStatusNames.HealthValues.Contains(health) ? health : "Unknown";

    private static string? Truncate(string? s) => s is null || s.Length <= MaxMessageLength ? s : s[..MaxMessageLength];

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>After a delivery pass: Releases of the plane being deleted that the agent no longer holds are confirmed removed.</summary>
    private async Task ConfirmRemovedAsync(PlaneIdentity plane, IReadOnlyCollection<string> held)
    {
        try
        {
            var heldSet = held.ToHashSet(StringComparer.Ordinal);
            var list = await _store.ListAsync(StoreDesiredReleases.OfPlane(plane)).ConfigureAwait(false);
            foreach (var r in list.Items)
            {
                if (r.DeletionTimestamp is null || heldSet.Contains(r.Name) || !r.Finalizers.Contains(ReleaseStatusNames.Finalizer)) continue;
                var now = _time.GetUtcNow();
                await StatusPatcher.PatchAsync(_store, ResourceKey.Of(r), (obj, _) =>
                    obj.DeletionTimestamp is not null && Conditions.Set(obj, new Condition(ReleaseStatusNames.Finalizing, Condition.True,
                        ReleaseStatusNames.Removed, $"the agent of {plane.PlaneType} {plane.PlaneName} no longer holds the release", obj.Generation), now),
                    CancellationToken.None).ConfigureAwait(false);
                LogRemovedConfirmed(_logger, r.Name, plane.ToString());
            }
        }
        catch (Exception e)
        {
            LogStatusWriteFailed(_logger, "*", plane.ToString(), e.Message);
        }
    }

    [LoggerMessage(EventId = 3240, Level = LogLevel.Warning, Message = "Release watch failed; relisting: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3241, Level = LogLevel.Warning, Message = "Could not write the status of release {Release} reported by {Plane}: {Reason}")]
    private static partial void LogStatusWriteFailed(ILogger logger, string release, string plane, string reason);

    [LoggerMessage(EventId = 3242, Level = LogLevel.Information, Message = "Release {Release} is gone from {Plane}")]
    private static partial void LogRemovedConfirmed(ILogger logger, string release, string plane);
}
