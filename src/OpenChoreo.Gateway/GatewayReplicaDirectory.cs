using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// Publishes this replica's cluster-gateway URL in the store (a cluster-scoped <c>Lease</c> named
/// <c>cluster-gateway-&lt;replica&gt;</c> with an expiry, renewed every heartbeat interval) and reads every replica's,
/// so a connecting agent learns the whole set and keeps a connection to each: any replica can then reach any agent.
/// A replica that dies stops renewing; its record expires after three intervals and agents drop it.
/// </summary>
public sealed partial class GatewayReplicaDirectory(IResourceStore store, ClusterGatewayServer server, IOptions<ClusterGatewayOptions> options,
    TimeProvider time, ILogger<GatewayReplicaDirectory> logger) : BackgroundService
{
    public const string LeaseKind = "Lease";
    public const string LeaseApiVersion = "internal.openchoreo.dev/v1";
    public const string RoleLabel = "openchoreo.dev/role";
    public const string RoleValue = "cluster-gateway-replica";

    /// <summary>At most this many replicas are announced to an agent (an agent never dials more).</summary>
    public const int MaxReplicas = 16;

    private readonly ClusterGatewayOptions _o = options.Value;
    private volatile IReadOnlyList<GatewayReplica> _current = [];

    /// <summary>The live replicas (this one included once published), sorted by name.</summary>
    public IReadOnlyList<GatewayReplica> Current => _current;

    /// <summary>Raised when the set of live replicas changed.</summary>
    public event Action<IReadOnlyList<GatewayReplica>>? Changed;

    private TimeSpan Expiry => _o.HeartbeatInterval * 3;

    private string LeaseName => "cluster-gateway-" + Sanitize(_o.EffectiveReplicaId);

    /// <summary>The URL agents dial this replica at: <c>advertiseUrl</c>, else the bound listener.</summary>
    public Uri? AdvertisedUrl => _o.AdvertiseUrl is { Length: > 0 } a ? new Uri(a) : server.ConnectUrl;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_o.HeartbeatInterval, time);
        do
        {
            try
            {
                await PublishAsync(ct).ConfigureAwait(false);
                await RefreshAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPublishFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct).ConfigureAwait(false);
        try
        {
            // A clean stop withdraws at once; a crash leaves the record to expire.
            await store.DeleteAsync(new ResourceKey(LeaseKind, "", LeaseName), ct: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ApiException or OperationCanceledException)
        {
        }
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        if (AdvertisedUrl is not { } url) return; // the listener is not bound yet
        var now = time.GetUtcNow();
        var key = new ResourceKey(LeaseKind, "", LeaseName);
        var spec = new JsonObject
        {
            ["holderIdentity"] = _o.EffectiveReplicaId,
            ["url"] = url.ToString(),
            ["renewTime"] = Fmt(now),
            ["expireTime"] = Fmt(now + Expiry),
        };
        var existing = await store.GetAsync(key, ct).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                await store.CreateAsync(new ResourceObject(new JsonObject
                {
                    ["apiVersion"] = LeaseApiVersion,
                    ["kind"] = LeaseKind,
                    ["metadata"] = new JsonObject { ["name"] = LeaseName, ["labels"] = new JsonObject { [RoleLabel] = RoleValue } },
                    ["spec"] = spec,
                }), ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
            {
                // Raced with our own previous write; renewed on the next tick.
            }
            return;
        }
        existing.Node["spec"] = spec;
        try
        {
            await store.UpdateAsync(existing, UpdateScope.Main, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Reason == StatusReasons.Conflict)
        {
        }
    }

    /// <summary>Reads every unexpired replica record; raises <see cref="Changed"/> when the set differs.</summary>
    internal async Task RefreshAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var list = await store.ListAsync(new ListOptions(LeaseKind, LabelSelector: LabelSelector.Parse($"{RoleLabel}={RoleValue}")), ct).ConfigureAwait(false);
        var live = new List<GatewayReplica>();
        foreach (var item in list.Items)
        {
            if (item.Spec is not JsonObject s || (string?)s["holderIdentity"] is not { Length: > 0 } id || (string?)s["url"] is not { Length: > 0 } u) continue;
            if (Time(s["expireTime"]) <= now) continue;
            live.Add(new GatewayReplica(id, u));
        }
        var next = live.OrderBy(r => r.Replica, StringComparer.Ordinal).Take(MaxReplicas).ToList();
        var previous = _current;
        if (previous.SequenceEqual(next)) return;
        _current = next;
        LogReplicas(logger, next.Count, string.Join(", ", next.Select(r => r.Replica)));
        Changed?.Invoke(next);
    }

    /// <summary>Lower-case DNS-label characters only (replica ids default to host name + pid).</summary>
    private static string Sanitize(string id)
    {
        var chars = id.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var s = new string(chars).Trim('-');
        return s.Length > 40 ? s[..40].TrimEnd('-') : s.Length == 0 ? "replica" : s;
    }

    private static string Fmt(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : DateTimeOffset.MinValue;

    [LoggerMessage(EventId = 2150, Level = LogLevel.Warning, Message = "Could not publish or read the cluster-gateway replica records")]
    private static partial void LogPublishFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Information, Message = "{Count} live cluster-gateway replica(s): {Replicas}")]
    private static partial void LogReplicas(ILogger logger, int count, string replicas);
}
