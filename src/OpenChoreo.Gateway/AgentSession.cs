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
}
