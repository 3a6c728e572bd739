using Microsoft.Extensions.Options;

namespace OpenChoreo.Gateway;

/// <summary>Settings of the cluster gateway (config section <c>clusterGateway</c>).</summary>
public sealed class ClusterGatewayOptions
{
    public const string Section = "clusterGateway";

    /// <summary>The agents' WSS listener; its own port, never shared with the API. Port 0 picks a free port.</summary>
    public string Listen { get; set; } = "https://127.0.0.1:8444";

    /// <summary>Where the platform CA lives (defaults to the control plane's <c>dataDir</c>).</summary>
    public string DataDir { get; set; } = "";

    /// <summary>This replica's name in leases; defaults to host name + process id.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>
    /// The wss:// URL other hosts' agents dial this replica at, published for agents to discover every replica
    /// (default: the bound listener, which only suits replicas on one host).
    /// </summary>
    public string? AdvertiseUrl { get; set; }

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxFrameBytes { get; set; } = 1024 * 1024;

    public TimeSpan AgentCertificateLifetime { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan JoinTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Extra DNS names for the gateway's server certificate (localhost and 127.0.0.1 are always in).</summary>
    public List<string> DnsNames { get; set; } = [];

    /// <summary>A lease not renewed for this long means the connection is gone (two heartbeat intervals).</summary>
    public TimeSpan LeaseDuration => HeartbeatInterval * 2;

    public string EffectiveReplicaId => ReplicaId ?? $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";
}

public sealed class ClusterGatewayOptionsValidator : IValidateOptions<ClusterGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterGatewayOptions o)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(o.Listen, UriKind.Absolute, out var u) || u.Scheme != "https" || !System.Net.IPAddress.TryParse(u.Host.Trim('[', ']'), out _) && u.Host != "localhost")
            errors.Add($"clusterGateway:listen: \"{o.Listen}\" must be an https:// URL with an IP address or localhost, e.g. https://127.0.0.1:8444");
        if (o.AdvertiseUrl is { Length: > 0 } a && (!Uri.TryCreate(a, UriKind.Absolute, out var adv) || adv.Scheme != "wss" || adv.AbsolutePath != ClusterGateway.ConnectPath))
            errors.Add($"clusterGateway:advertiseUrl: \"{a}\" must be a wss:// URL ending in {ClusterGateway.ConnectPath}, e.g. wss://cp1.example.com:8444{ClusterGateway.ConnectPath}");
        if (string.IsNullOrWhiteSpace(o.DataDir)) errors.Add("clusterGateway:dataDir (or dataDir): must be set (the platform CA lives there)");
        if (o.HeartbeatInterval < TimeSpan.FromMilliseconds(50) || o.HeartbeatInterval > TimeSpan.FromMinutes(5))
            errors.Add("clusterGateway:heartbeatInterval: must be between 50ms and 5 minutes");
        if (o.MaxFrameBytes < 64 * 1024 || o.MaxFrameBytes > 64 * 1024 * 1024) errors.Add("clusterGateway:maxFrameBytes: must be between 65536 and 67108864");
        if (o.AgentCertificateLifetime < TimeSpan.FromMinutes(1) || o.AgentCertificateLifetime > TimeSpan.FromDays(7))
            errors.Add("clusterGateway:agentCertificateLifetime: must be between 1 minute and 7 days");
        if (o.JoinTokenLifetime < TimeSpan.FromSeconds(1) || o.JoinTokenLifetime > TimeSpan.FromDays(1))
            errors.Add("clusterGateway:joinTokenLifetime: must be between 1 second and 1 day");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
