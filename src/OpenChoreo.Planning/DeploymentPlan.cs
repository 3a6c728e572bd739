using System.Text.Json.Nodes;

namespace OpenChoreo.Planning;

/// <summary>single-cluster, multi-cluster or custom (several data planes), as the seed names the topologies.</summary>
public enum TopologyKind { SingleCluster, MultiCluster, Custom }

public sealed record PlannedNamespace(string Cluster, string Namespace, PlaneType Plane, string PlaneName);

/// <summary>A host name the installation serves and what it is for.</summary>
public sealed record PlannedHost(string Host, PlaneType Plane, string PlaneName, string Cluster, string Purpose);

/// <summary>One certificate to obtain: its names, how, and the secret it lands in.</summary>
public sealed record PlannedCertificate(string Name, string Namespace, string Cluster, PlaneType Plane, IReadOnlyList<string> DnsNames,
    bool Wildcard, TlsStrategy Strategy, string How, string SecretName);

/// <summary>A DNS record to create: an A record to a load-balancer IP, or a CNAME where the cloud gives a hostname.</summary>
public sealed record PlannedDnsRecord(string Name, string Type, string Target, string? Note = null);

public enum FindingLevel { Info, Warning, Refusal }

/// <summary>A recommendation, warning or refusal; refusals make the plan unusable until fixed.</summary>
public sealed record Finding(FindingLevel Level, string Topic, string Message);

/// <summary>Everything <c>occ plan</c> reports. <see cref="Resources"/> are manifests ready to apply.</summary>
public sealed record DeploymentPlan(
    string Domain,
    TopologyKind Topology,
    IReadOnlyList<ClusterSpec> Clusters,
    IReadOnlyList<PlannedNamespace> Namespaces,
    IReadOnlyList<PlannedHost> Hosts,
    IReadOnlyList<PlannedCertificate> Certificates,
    IReadOnlyList<PlannedDnsRecord> DnsRecords,
    IReadOnlyList<JsonObject> Resources,
    IReadOnlyList<string> HighAvailability,
    IReadOnlyList<string> CloudNotes,
    IReadOnlyList<string> Checklist,
    IReadOnlyList<Finding> Findings)
{
    public IEnumerable<Finding> Refusals => Findings.Where(f => f.Level == FindingLevel.Refusal);

    public bool Usable => !Refusals.Any();
}
