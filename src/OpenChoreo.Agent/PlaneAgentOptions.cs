using OpenChoreo.Pki;
using OpenChoreo.Tunnel;

namespace OpenChoreo.Agent;

public sealed record PlaneAgentOptions
{
    /// <summary>The gateway's WebSocket URL, e.g. <c>wss://127.0.0.1:8444/agent/v1/connect</c> (the only seed).</summary>
    public Uri GatewayUrl
    {
        get => GatewayUrls.Count > 0 ? GatewayUrls[0] : throw new InvalidOperationException("No gateway URL is configured.");
        init => GatewayUrls = [value];
    }

    /// <summary>
    /// Seed gateway URLs: the agent holds one connection per URL, each with its own backoff, and never drops them.
    /// </summary>
    public IReadOnlyList<Uri> GatewayUrls { get; init; } = [];

    /// <summary>
    /// Also connect to every replica the gateways announce (<c>gateway.replicas</c>), so any control-plane replica can
    /// reach this agent; connections to replicas that are no longer announced end when they next fail.
    /// </summary>
    public bool FollowReplicas { get; init; } = true;

    public string AgentVersion { get; init; } = typeof(PlaneAgent).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public RenewalSchedule Renewal { get; init; } = RenewalSchedule.Default;

    /// <summary>Limits for the connection; the heartbeat interval comes from the gateway.</summary>
    public TunnelConnectionOptions Connection { get; init; } = new();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
