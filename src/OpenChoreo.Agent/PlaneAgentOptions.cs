using OpenChoreo.Pki;
using OpenChoreo.Tunnel;

namespace OpenChoreo.Agent;

public sealed record PlaneAgentOptions
{
    /// <summary>The gateway's WebSocket URL, e.g. <c>wss://127.0.0.1:8444/agent/v1/connect</c>.</summary>
    public required Uri GatewayUrl { get; init; }

    public string AgentVersion { get; init; } = typeof(PlaneAgent).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public RenewalSchedule Renewal { get; init; } = RenewalSchedule.Default;

    /// <summary>Limits for the connection; the heartbeat interval comes from the gateway.</summary>
    public TunnelConnectionOptions Connection { get; init; } = new();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
