using System.Text.Json.Nodes;

namespace OpenChoreo.Tunnel.Operations;

public sealed record Empty
{
    public static readonly Empty Instance = new();
}

public sealed record PingReply(DateTimeOffset AgentTime);

/// <summary>What the plane runs on. Capacity figures are totals over ready nodes.</summary>
public sealed record RuntimeInfo
{
    public string Kind { get; init; } = "";
    public string Version { get; init; } = "";
    public IReadOnlyList<RuntimeNode> Nodes { get; init; } = [];
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public bool LoadBalancerSupported { get; init; }
}

public sealed record RuntimeNode(string Name, bool Ready, long CpuMillis, long MemoryBytes);

/// <summary>A rendered release to make true on the plane. <see cref="Checksum"/> identifies the resource set exactly.</summary>
public sealed record ApplyReleaseRequest
{
    public required string Name { get; init; }
    public required long Generation { get; init; }
    public required string Checksum { get; init; }
    public JsonArray Resources { get; init; } = [];
}

public sealed record ApplyReleaseReply(string Name, long Generation, string Checksum, bool Changed);

public sealed record DeleteReleaseRequest(string Name);

public sealed record DeleteReleaseReply(string Name, bool Existed);

/// <summary>One release as the agent holds it.</summary>
public sealed record HeldRelease(string Name, long Generation, string Checksum);

/// <summary>
/// Agent → gateway after (re)connecting: everything it holds. The gateway re-sends what differs. An agent connected to
/// several replicas lets exactly one deliver (<see cref="Deliver"/> true, the default for agents that predate it) and
/// sends the resync again with <c>deliver: true</c> on another connection when that one is lost.
/// </summary>
public sealed record ResyncRequest(IReadOnlyList<HeldRelease> Releases)
{
    public bool Deliver { get; init; } = true;
}

/// <summary>One live control-plane replica: its name and the wss:// URL of its cluster gateway.</summary>
public sealed record GatewayReplica(string Replica, string Url);

/// <summary>Gateway → agent at connect and whenever the set changes: every live replica, so the agent holds a
/// connection to each.</summary>
public sealed record GatewayReplicasMessage(IReadOnlyList<GatewayReplica> Replicas);

public sealed record ResyncReply(int ToApply, int ToDelete);

/// <summary>Agent → gateway whenever the health of what it runs changes.</summary>
public sealed record StatusReport
{
    public IReadOnlyList<ReleaseHealth> Releases { get; init; } = [];
}

/// <summary>
/// Health of one held release: <see cref="Health"/> is Unknown, Progressing, Healthy, Suspended or Degraded (the worst
/// resource wins). <see cref="Resources"/> (optional, added in v1 without a version bump) breaks it down per resource.
/// </summary>
public sealed record ReleaseHealth(string Name, long Generation, string Checksum, string Health, string? Message = null,
    IReadOnlyList<ReleaseResourceHealth>? Resources = null);

/// <summary>Health of one resource of a release; <see cref="Id"/> is the release's resource id when the runtime knows it.</summary>
public sealed record ReleaseResourceHealth(string Kind, string Name, string Health, string? Namespace = null, string? Id = null, string? Message = null);

/// <summary>Agent → gateway: a CSR for the same identity; answered with the new chain and the current trust bundle.</summary>
public sealed record RenewCertificateRequest(string CsrPem);

public sealed record RenewCertificateReply(string CertificateChainPem, string TrustBundlePem);

/// <summary>Opens a stream of log lines (UTF-8, newline-terminated) of one release, optionally one resource.</summary>
public sealed record LogFollowRequest(string Release, string? Resource = null, int TailLines = 0);
