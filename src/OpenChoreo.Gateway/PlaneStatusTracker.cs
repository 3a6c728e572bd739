using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// Live plane status from leases. The replica holding an agent's connections writes a lease into the plane's status
/// (<c>status.agent.leases[]</c>: replica, connections, renewTime, expireTime) on connect, on heartbeats and on
/// disconnect. Every replica sweeps: a plane whose leases have all expired is Disconnected, whichever replica (or
/// network, or agent) died. Connected/Disconnected is the <c>Connected</c> condition.
/// </summary>
public sealed partial class PlaneStatusTracker : BackgroundService
{
    public const string ConditionType = "Connected";

    private readonly IResourceStore _store;
    private readonly AgentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<PlaneStatusTracker> _logger;
    private readonly ClusterGatewayOptions _options;
    private readonly string _replica;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _lastRenew = new(StringComparer.Ordinal);

    public PlaneStatusTracker(IResourceStore store, AgentRegistry registry, TimeProvider time, IOptions<ClusterGatewayOptions> options, ILogger<PlaneStatusTracker> logger)
    {
        _store = store;
        _registry = registry;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _replica = _options.EffectiveReplicaId;
    }

    /// <summary>A lease lasts 1.5 heartbeat intervals, and the sweep runs every quarter interval, so a silent plane turns
    /// Disconnected within two intervals of its last heartbeat.</summary>
    private TimeSpan LeaseDuration => _options.HeartbeatInterval * 1.5;

    public Task ConnectedAsync(AgentSession session, CancellationToken ct) =>
        WriteLeaseAsync(session.Identity, session, ct);

    public Task DisconnectedAsync(AgentSession session, CancellationToken ct) =>
        WriteLeaseAsync(session.Identity, null, ct);

    /// <summary>Renews this replica's lease; throttled to half an interval so a chatty agent does not hammer the store.</summary>
    public Task HeartbeatAsync(AgentSession session, CancellationToken ct)
    {
        var key = session.Identity.ToString();
        var now = _time.GetTimestamp();
        if (_lastRenew.TryGetValue(key, out var last) && _time.GetElapsedTime(last, now) < _options.HeartbeatInterval / 2) return Task.CompletedTask;
        _lastRenew[key] = now;
        return WriteLeaseAsync(session.Identity, session, ct);
    }

    public Task RuntimeInfoAsync(PlaneIdentity identity, RuntimeInfo info, CancellationToken ct) =>
        StatusPatcher.PatchAsync(_store, PlaneKinds.KeyOf(identity), (_, status) =>
        {
            Agent(status)["runtime"] = System.Text.Json.JsonSerializer.SerializeToNode(info, OperationJson.Default.RuntimeInfo);
            return true;
        }, ct);

    private async Task WriteLeaseAsync(PlaneIdentity identity, AgentSession? session, CancellationToken ct)
    {
        var live = _registry.Sessions(identity).Count(s => s.Connection.IsOpen);
        var now = _time.GetUtcNow();
        try
        {
            await StatusPatcher.PatchAsync(_store, PlaneKinds.KeyOf(identity), (obj, status) =>
            {
                var agent = Agent(status);
                var leases = agent["leases"] as JsonArray ?? new JsonArray();
                var kept = new JsonArray();
                foreach (var l in leases)
                    if (l is JsonObject lo && (string?)lo["replica"] != _replica && Time(lo["expireTime"]) > now) kept.Add(lo.DeepClone());
                if (live > 0)
                {
                    kept.Add(new JsonObject
                    {
                        ["replica"] = _replica,
                        ["connections"] = live,
                        ["renewTime"] = Fmt(now),
                        ["expireTime"] = Fmt(now + LeaseDuration),
                    });
                    agent["lastHeartbeatTime"] = Fmt(now);
                }
                agent["leases"] = kept;
                if (session is not null)
                {
                    agent["version"] = session.AgentVersion;
                    if (agent["lastConnectedTime"] is null || Time(agent["lastConnectedTime"]) < session.ConnectedAt)
                        agent["lastConnectedTime"] = Fmt(session.ConnectedAt);
                }
                Summarize(obj, status, kept, now, live > 0 ? "AgentConnected" : "AgentDisconnected");
                return true;
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatusWriteFailed(_logger, identity.ToString(), e);
        }
    }

    /// <summary>Counts live connections over unexpired leases and sets the Connected condition.</summary>
    private static void Summarize(ResourceObject obj, JsonObject status, JsonArray leases, DateTimeOffset now, string reasonIfChanged)
    {
        var connections = 0;
        foreach (var l in leases) if (l is JsonObject lo && Time(lo["expireTime"]) > now) connections += (int?)lo["connections"] ?? 0;
        Agent(status)["connections"] = connections;
        var connected = connections > 0;
        var reason = connected ? "AgentConnected" : reasonIfChanged == "AgentConnected" ? "AgentDisconnected" : reasonIfChanged;
        SetCondition(obj, status, connected, reason,
            connected ? $"{connections} agent connection(s) through {leases.Count} gateway replica(s)" : "No live agent connection (no unexpired lease)", now);
    }

    private static void SetCondition(ResourceObject obj, JsonObject status, bool connected, string reason, string message, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
        var value = connected ? "True" : "False";
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == ConditionType);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = ConditionType };
            conditions.Add(existing);
        }
        if ((string?)existing["status"] != value) existing["lastTransitionTime"] = Fmt(now);
        existing["status"] = value;
        existing["reason"] = reason;
        existing["message"] = message;
        existing["observedGeneration"] = obj.Generation;
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval / 4, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await SweepAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(_logger, e);
            }
        }
    }

    /// <summary>Turns planes whose leases expired Disconnected (and drops the expired leases).</summary>
    internal async Task SweepAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        foreach (var kind in PlaneKinds.KindByType.Values)
        {
            var list = await _store.ListAsync(new ListOptions(kind), ct).ConfigureAwait(false);
            foreach (var plane in list.Items)
            {
                if (plane.Status?["agent"]?["leases"] is not JsonArray leases || leases.Count == 0) continue;
                if (leases.OfType<JsonObject>().All(l => Time(l["expireTime"]) > now)) continue;
                await StatusPatcher.PatchAsync(_store, ResourceKey.Of(plane), (obj, status) =>
                {
                    var current = Agent(status)["leases"] as JsonArray ?? [];
                    var kept = new JsonArray();
                    foreach (var l in current) if (l is JsonObject lo && Time(lo["expireTime"]) > now) kept.Add(lo.DeepClone());
                    if (kept.Count == current.Count) return false;
                    Agent(status)["leases"] = kept;
                    Summarize(obj, status, kept, now, "LeaseExpired");
                    return true;
                }, ct).ConfigureAwait(false);
                LogLeaseExpired(_logger, ResourceKey.Of(plane).ToString());
            }
        }
    }

    /// <summary>RFC 3339 with milliseconds (Kubernetes MicroTime style): leases are shorter than a second in tests.</summary>
    private static string Fmt(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Agent(JsonObject status) =>
        status["agent"] as JsonObject ?? (JsonObject)(status["agent"] = new JsonObject());

    private static DateTimeOffset Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : DateTimeOffset.MinValue;

    [LoggerMessage(EventId = 2120, Level = LogLevel.Warning, Message = "Could not write the status of plane {Plane}")]
    private static partial void LogStatusWriteFailed(ILogger logger, string plane, Exception e);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "Plane status sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Information, Message = "Agent lease of {Plane} expired")]
    private static partial void LogLeaseExpired(ILogger logger, string plane);
}
