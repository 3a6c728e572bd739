namespace OpenChoreo.Planning;

/// <summary>The kinds of plane a cluster can host.</summary>
public enum PlaneType { Control, Data, Build, Observability }

/// <summary>Where a cluster runs; decides load-balancer behaviour (EKS gives private hostnames, on-prem none at all).</summary>
public enum CloudProvider { OnPrem, Eks, Gke, Aks }

/// <summary>How a plane gets its certificates.</summary>
public enum TlsStrategy { Acme, Issuer, Ca, BringYourOwn, SelfSigned }

public enum AcmeSolver { Http01, Dns01 }

public enum PostgresMode { Single, PrimaryReplica, Managed }

/// <summary>A plane's TLS choice. Fields not meaningful for the strategy are ignored.</summary>
public sealed record TlsSpec(TlsStrategy Strategy)
{
    public AcmeSolver Solver { get; init; } = AcmeSolver.Http01;

    /// <summary>DNS-01 provider: <c>rfc2136</c> or <c>cloudflare</c>.</summary>
    public string DnsProvider { get; init; } = "rfc2136";

    public string AcmeServer { get; init; } = "https://acme-v02.api.letsencrypt.org/directory";

    public string? Email { get; init; }

    /// <summary>For <see cref="TlsStrategy.Issuer"/>: the existing issuer to reference.</summary>
    public string? IssuerName { get; init; }

    public string IssuerKind { get; init; } = "ClusterIssuer";

    /// <summary>The control plane may ask for <c>*.openchoreo.{D}</c> instead of a SAN certificate.</summary>
    public bool Wildcard { get; init; }

    /// <summary>For a CA-issued registry certificate: the nodes that pull images already trust that CA.</summary>
    public bool TrustedByNodes { get; init; }
}

/// <summary>One plane placed on a cluster. Data planes have names; the others are singletons.</summary>
public sealed record PlaneSpec(PlaneType Type, string Name, TlsSpec? Tls)
{
    /// <summary>Environments a data plane serves (informational; used in the report).</summary>
    public IReadOnlyList<string> Environments { get; init; } = [];
}

public sealed record ClusterSpec(string Name, CloudProvider Cloud, string KubernetesVersion, int Nodes, IReadOnlyList<PlaneSpec> Planes);

/// <summary>High-availability choices; <see cref="Enabled"/> false means a non-HA install (recommendations are still made).</summary>
public sealed record HaSpec(bool Enabled, int ControlPlaneReplicas, PostgresMode Postgres, int LogStoreNodes)
{
    public static HaSpec Default { get; } = new(false, 1, PostgresMode.Single, 1);

    public static HaSpec Recommended { get; } = new(true, 3, PostgresMode.PrimaryReplica, 3);
}

/// <summary>A whole deployment topology, as read from <c>occ plan -f</c> or built from flags.</summary>
public sealed record TopologySpec(string Domain, IReadOnlyList<ClusterSpec> Clusters, HaSpec Ha);
