using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenChoreo.Tunnel.Operations;

/// <summary>
/// Every operation of protocol version 1. The name is the capability string a side advertises when it serves the op.
/// Direction: G→A served by the agent, A→G served by the gateway.
/// </summary>
public static class TunnelOperations
{
    /// <summary>Either direction: a liveness round trip through the whole tunnel (not the heartbeat).</summary>
    public static readonly TunnelOperation<Empty, PingReply> Ping = new("ping", OperationJson.Default.Empty, OperationJson.Default.PingReply);

    /// <summary>G→A.</summary>
    public static readonly TunnelOperation<Empty, RuntimeInfo> RuntimeInfo = new("runtime.info", OperationJson.Default.Empty, OperationJson.Default.RuntimeInfo);

    /// <summary>G→A.</summary>
    public static readonly TunnelOperation<ApplyReleaseRequest, ApplyReleaseReply> ApplyRelease = new("release.apply", OperationJson.Default.ApplyReleaseRequest, OperationJson.Default.ApplyReleaseReply);

    /// <summary>G→A.</summary>
    public static readonly TunnelOperation<DeleteReleaseRequest, DeleteReleaseReply> DeleteRelease = new("release.delete", OperationJson.Default.DeleteReleaseRequest, OperationJson.Default.DeleteReleaseReply);

    /// <summary>A→G.</summary>
    public static readonly TunnelOperation<ResyncRequest, ResyncReply> Resync = new("release.resync", OperationJson.Default.ResyncRequest, OperationJson.Default.ResyncReply);

    /// <summary>A→G.</summary>
    public static readonly TunnelOperation<StatusReport, Empty> ReportStatus = new("status.report", OperationJson.Default.StatusReport, OperationJson.Default.Empty);

    /// <summary>A→G.</summary>
    public static readonly TunnelOperation<RenewCertificateRequest, RenewCertificateReply> RenewCertificate = new("certificate.renew", OperationJson.Default.RenewCertificateRequest, OperationJson.Default.RenewCertificateReply);

    /// <summary>G→A: the agent's plane resource was deleted; the agent removes what it runs and stops (sent just before the close).</summary>
    public static readonly TunnelOperation<Empty, Empty> PlaneDeleted = new("plane.deleted", OperationJson.Default.Empty, OperationJson.Default.Empty);

    /// <summary>G→A: the live gateway replicas (sent at connect and on change); the agent keeps a connection to each.</summary>
    public static readonly TunnelOperation<GatewayReplicasMessage, Empty> GatewayReplicas = new("gateway.replicas", OperationJson.Default.GatewayReplicasMessage, OperationJson.Default.Empty);

    /// <summary>G→A stream.</summary>
    public static readonly TunnelStreamOperation<LogFollowRequest> LogFollow = new("logs.follow", OperationJson.Default.LogFollowRequest);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(PingReply))]
[JsonSerializable(typeof(RuntimeInfo))]
[JsonSerializable(typeof(ApplyReleaseRequest))]
[JsonSerializable(typeof(ApplyReleaseReply))]
[JsonSerializable(typeof(DeleteReleaseRequest))]
[JsonSerializable(typeof(DeleteReleaseReply))]
[JsonSerializable(typeof(ResyncRequest))]
[JsonSerializable(typeof(ResyncReply))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(RenewCertificateRequest))]
[JsonSerializable(typeof(RenewCertificateReply))]
[JsonSerializable(typeof(LogFollowRequest))]
[JsonSerializable(typeof(GatewayReplicasMessage))]
public sealed partial class OperationJson : JsonSerializerContext;
