using System.Collections.Concurrent;
using System.Threading.Channels;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>One live agent connection held by this replica.</summary>
public sealed class AgentSession(PlaneIdentity identity, string connectionId, string agentVersion, TunnelConnection connection, DateTimeOffset connectedAt)
{
    public PlaneIdentity Identity { get; } = identity;
    public string ConnectionId { get; } = connectionId;
    public string AgentVersion { get; } = agentVersion;
    public TunnelConnection Connection { get; } = connection;
    public DateTimeOffset ConnectedAt { get; } = connectedAt;
    public RuntimeInfo? Runtime { get; set; }

    /// <summary>What the agent holds: its resync list, kept current from the replies to applies and deletes.</summary>
    internal ConcurrentDictionary<string, HeldRelease> Held { get; } = new(StringComparer.Ordinal);

    /// <summary>True once the agent's resync arrived (before that, <see cref="Held"/> means nothing).</summary>
    internal volatile bool HeldKnown;

    /// <summary>
    /// Whether this replica delivers releases to the agent over this connection: an agent connected to several replicas
    /// lets exactly one deliver (its resync says which), so deliveries never race.
    /// </summary>
    internal volatile bool Delivers = true;

    /// <summary>Coalescing "desired state may have changed" signal for this session's delivery loop.</summary>
    internal Channel<bool> SyncRequests { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    internal void RequestSync() => SyncRequests.Writer.TryWrite(true);
}
