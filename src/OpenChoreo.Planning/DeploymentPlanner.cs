using System.Text.Json.Nodes;

namespace OpenChoreo.Planning;

/// <summary>
/// Turns a <see cref="TopologySpec"/> into a <see cref="DeploymentPlan"/>: the seed's planning steps (topology,
/// domains, TLS per plane, DNS, HA, cloud differences, checklist) done by the platform instead of by hand. Pure: the
/// same topology always gives the same plan.
/// </summary>
public static class DeploymentPlanner
{
    public const string MinimumKubernetes = "1.32";
    public const int ClusterGatewayPort = 8444;

    public static DeploymentPlan Plan(TopologySpec topology)
    {
        var d = topology.Domain;
        var findings = new List<Finding>();
        var placed = topology.Clusters.SelectMany(c => c.Planes.Select(p => (Cluster: c, Plane: p))).ToList();
        CheckShape(topology, placed, findings);

        var dataPlanes = placed.Where(x => x.Plane.Type == PlaneType.Data).ToList();
        var kind = dataPlanes.Count > 1 ? TopologyKind.Custom : topology.Clusters.Count > 1 ? TopologyKind.MultiCluster : TopologyKind.SingleCluster;
        var control = placed.FirstOrDefault(x => x.Plane.Type == PlaneType.Control);

        var namespaces = new List<PlannedNamespace>();
        var hosts = new List<PlannedHost>();
        var certificates = new List<PlannedCertificate>();
        var dns = new List<PlannedDnsRecord>();
        foreach (var (cluster, plane) in placed)
        {
            var ns = NamespaceOf(cluster, plane);
            namespaces.Add(new PlannedNamespace(cluster.Name, ns, plane.Type, plane.Name));
            var tls = plane.Tls ?? DefaultTls(plane.Type);
            switch (plane.Type)
            {
                case PlaneType.Control:
                {
                    string[] names = [$"openchoreo.{d}", $"api.openchoreo.{d}", $"thunder.openchoreo.{d}"];
                    string[] purposes = ["console (web UI)", "OpenChoreo API", "identity server"];
                    for (var i = 0; i < names.Length; i++) hosts.Add(new PlannedHost(names[i], plane.Type, plane.Name, cluster.Name, purposes[i]));
                    var dnsNames = tls.Wildcard ? [$"*.openchoreo.{d}"] : names;
                    certificates.Add(Certificate("control-plane-tls", ns, cluster, plane, dnsNames, tls.Wildcard, tls, findings));
                    foreach (var n in names) dns.Add(Record(n, cluster, "control-plane ingress"));
                    break;
                }
                case PlaneType.Data:
                {
                    var vhost = dataPlanes.Count > 1 ? $"{plane.Name}.apps.openchoreo.{d}" : $"apps.openchoreo.{d}";
                    var envs = plane.Environments.Count > 0 ? $" for {string.Join(", ", plane.Environments)}" : "";
                    hosts.Add(new PlannedHost($"*.{vhost}", plane.Type, plane.Name, cluster.Name,
                        $"deployed applications{envs} (DataPlane {plane.Name}: spec.gateway.publicVirtualHost {vhost})"));
                    certificates.Add(Certificate($"data-plane-{plane.Name}-tls", ns, cluster, plane, [$"*.{vhost}"], true, tls, findings));
                    dns.Add(Record($"*.{vhost}", cluster, $"data-plane gateway ({plane.Name})"));
                    break;
                }
                case PlaneType.Build:
                {
                    var host = $"registry.openchoreo.{d}";
                    hosts.Add(new PlannedHost(host, plane.Type, plane.Name, cluster.Name, "container registry (pulled by every data plane's nodes)"));
                    certificates.Add(Certificate("registry-tls", ns, cluster, plane, [host], false, tls, findings));
                    var sameAsControl = control.Cluster is { } cc && cc.Name == cluster.Name;
                    dns.Add(Record(host, cluster, sameAsControl ? "control-plane ingress" : "build-plane registry ingress"));
                    CheckRegistryTrust(tls, findings);
                    break;
                }
                case PlaneType.Observability:
                    var remote = dataPlanes.Where(x => x.Cluster.Name != cluster.Name).Select(x => x.Plane.Name).ToList();
                    if (remote.Count > 0)
                    {
                        findings.Add(new Finding(FindingLevel.Info, "observability",
                            $"the observability plane on {cluster.Name} serves data planes in other clusters ({string.Join(", ", remote.Select(r => "data plane " + r))}): its log endpoint is reached over an internal load balancer or NodePort, not a public host; no certificate from this plan is needed for it"));
                    }
                    break;
            }
        }
        AddDns01Notes(placed, findings);
        var noEmail = placed.Where(x => x.Plane.Type != PlaneType.Observability && (x.Plane.Tls ?? DefaultTls(x.Plane.Type)) is { Strategy: TlsStrategy.Acme, Email: null })
            .Select(x => Describe(x.Plane)).ToList();
        if (noEmail.Count > 0)
        {
            findings.Add(new Finding(FindingLevel.Info, "tls",
                $"no ACME account email for {string.Join(", ", noEmail)}: the CA cannot warn you about certificates that fail to renew"));
        }

        return new DeploymentPlan(d, kind, topology.Clusters, namespaces, hosts, certificates, dns,
            PlanResources.For(certificates, placed),
            HighAvailability(topology, placed, findings),
            CloudNotes(topology),
            Checklist(topology, placed, findings),
            findings);
    }

    /// <summary>Namespace per plane as the seed lays them out; several data planes in one cluster get suffixes.</summary>
    private static string NamespaceOf(ClusterSpec cluster, PlaneSpec plane) => plane.Type switch
    {
        PlaneType.Control => "openchoreo-control-plane",
        PlaneType.Build => "openchoreo-build-plane",
        PlaneType.Observability => "openchoreo-observability-plane",
        _ => cluster.Planes.Count(p => p.Type == PlaneType.Data) > 1 ? $"openchoreo-data-plane-{plane.Name}" : "openchoreo-data-plane",
    };

    /// <summary>Defaults when a plane names no TLS strategy: ACME, with DNS-01 where a wildcard is unavoidable.</summary>
    public static TlsSpec DefaultTls(PlaneType type) => new(TlsStrategy.Acme) { Solver = type == PlaneType.Data ? AcmeSolver.Dns01 : AcmeSolver.Http01 };

    private static PlannedCertificate Certificate(string name, string ns, ClusterSpec cluster, PlaneSpec plane, IReadOnlyList<string> dnsNames,
        bool wildcard, TlsSpec tls, List<Finding> findings)
    {
        if (wildcard && tls.Strategy == TlsStrategy.Acme && tls.Solver == AcmeSolver.Http01)
        {
            findings.Add(new Finding(FindingLevel.Refusal, "tls",
                $"{Describe(plane)} needs the wildcard {dnsNames[0]}, and ACME HTTP-01 cannot validate wildcard names: use solver dns01 (rfc2136 or cloudflare) or bring your own certificate"));
        }
        if (tls.Strategy == TlsStrategy.SelfSigned && plane.Type != PlaneType.Build)
        {
            findings.Add(new Finding(FindingLevel.Warning, "tls", $"{Describe(plane)} uses a self-signed certificate: browsers and clients will not trust it; use it for development only"));
        }
        if (tls.Strategy == TlsStrategy.Acme && tls.Solver == AcmeSolver.Http01 && cluster.Cloud == CloudProvider.Eks)
        {
            findings.Add(new Finding(FindingLevel.Warning, "tls",
                $"{Describe(plane)} uses HTTP-01 on EKS, whose load balancers are private by default: make the ingress internet-facing on port 80 or the challenge cannot be reached"));
        }
        var secret = name;
        var how = tls.Strategy switch
        {
            TlsStrategy.Acme => $"ACME {(tls.Solver == AcmeSolver.Http01 ? "HTTP-01" : $"DNS-01 ({tls.DnsProvider})")} from {tls.AcmeServer}",
            TlsStrategy.Issuer => $"existing {tls.IssuerKind} {tls.IssuerName}",
            TlsStrategy.Ca => "the platform CA (distribute its root to every client)",
            TlsStrategy.BringYourOwn => $"bring your own: occ secret tls {secret} --cert FILE --key FILE -n {ns}",
            _ => "self-signed",
        };
        return new PlannedCertificate(name, ns, cluster.Name, plane.Type, dnsNames, wildcard, tls.Strategy, how, secret);
    }

    private static void CheckRegistryTrust(TlsSpec tls, List<Finding> findings)
    {
        var untrusted = tls.Strategy switch
        {
            TlsStrategy.SelfSigned => "a self-signed certificate",
            TlsStrategy.Ca when !tls.TrustedByNodes => "a certificate from the platform CA that the nodes do not trust",
            _ => null,
        };
        if (untrusted is not null)
        {
            findings.Add(new Finding(FindingLevel.Refusal, "registry",
                $"the registry would serve {untrusted}; nodes refuse to pull images from it: use ACME, an issuer the nodes trust, bring your own, or set trustedByNodes: true once the CA is installed on every node"));
        }
    }

    private static PlannedDnsRecord Record(string host, ClusterSpec cluster, string what) => cluster.Cloud == CloudProvider.Eks
        ? new PlannedDnsRecord(host, "CNAME", $"<{cluster.Name} {what} load-balancer hostname>", "EKS load balancers have a hostname, not an IP")
        : new PlannedDnsRecord(host, "A", $"<{cluster.Name} {what} load-balancer IP>");

    private static void AddDns01Notes(List<(ClusterSpec Cluster, PlaneSpec Plane)> placed, List<Finding> findings)
    {
        foreach (var provider in placed.Select(x => x.Plane.Tls ?? DefaultTls(x.Plane.Type))
                     .Where(t => t.Strategy == TlsStrategy.Acme && t.Solver == AcmeSolver.Dns01).Select(t => t.DnsProvider).Distinct())
        {
            findings.Add(new Finding(FindingLevel.Info, "dns", provider == "rfc2136"
                ? "DNS-01 via RFC 2136: create a TSIG key allowed to update TXT records named _acme-challenge.* in the zone, and give it to the issuer as a secret"
                : "DNS-01 via Cloudflare: create an API token with Zone:DNS:Edit on the zone, and give it to the issuer as a secret"));
        }
    }

    private static void CheckShape(TopologySpec topology, List<(ClusterSpec Cluster, PlaneSpec Plane)> placed, List<Finding> findings)
    {
        var controls = placed.Count(x => x.Plane.Type == PlaneType.Control);
        if (controls != 1)
            findings.Add(new Finding(FindingLevel.Refusal, "topology", controls == 0 ? "there is no control plane: exactly one cluster must host type control" : $"there are {controls} control planes: exactly one is allowed (run replicas of it instead, see ha)"));
        if (!placed.Any(x => x.Plane.Type == PlaneType.Data))
            findings.Add(new Finding(FindingLevel.Refusal, "topology", "there is no data plane: at least one cluster must host type data"));
        foreach (var type in new[] { PlaneType.Build, PlaneType.Observability })
        {
            if (placed.Count(x => x.Plane.Type == type) > 1)
                findings.Add(new Finding(FindingLevel.Refusal, "topology", $"there is more than one {type.ToString().ToLowerInvariant()} plane: one is shared by all data planes"));
        }
        foreach (var dup in placed.Where(x => x.Plane.Type == PlaneType.Data).GroupBy(x => x.Plane.Name).Where(g => g.Count() > 1))
            findings.Add(new Finding(FindingLevel.Refusal, "topology", $"two data planes are named {dup.Key}: data plane names must be unique"));
        foreach (var dup in topology.Clusters.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            findings.Add(new Finding(FindingLevel.Refusal, "topology", $"two clusters are named {dup.Key}"));
        foreach (var c in topology.Clusters)
        {
            if (!TryVersion(c.KubernetesVersion, out var v))
                findings.Add(new Finding(FindingLevel.Refusal, "kubernetes", $"cluster {c.Name}: \"{c.KubernetesVersion}\" is not a Kubernetes version like 1.32"));
            else if (v < new Version(1, 32))
                findings.Add(new Finding(FindingLevel.Refusal, "kubernetes", $"cluster {c.Name} runs Kubernetes {c.KubernetesVersion}; {MinimumKubernetes} or newer is required"));
            if (c.Nodes < 3)
                findings.Add(new Finding(FindingLevel.Warning, "capacity", $"cluster {c.Name} has {Count(c.Nodes, "node")}; 3 or more are recommended"));
        }
    }

    private static bool TryVersion(string text, out Version version)
    {
        var parts = text.TrimStart('v').Split('.');
        version = new Version(0, 0);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor)) return false;
        version = new Version(major, minor);
        return true;
    }

    private static List<string> HighAvailability(TopologySpec topology, List<(ClusterSpec Cluster, PlaneSpec Plane)> placed, List<Finding> findings)
    {
        var ha = topology.Ha;
        var hasLogs = placed.Any(x => x.Plane.Type == PlaneType.Observability);
        var lines = new List<string>();
        if (!ha.Enabled)
        {
            findings.Add(new Finding(FindingLevel.Info, "ha", "non-HA install: one control-plane replica, one PostgreSQL instance; fine for development and staging"));
            lines.Add("for production: 3 control-plane replicas behind the load balancer (all serve the API; one leader runs controllers; agents reach any replica)");
            lines.Add("for production: PostgreSQL primary + replica, or a managed database service");
            if (hasLogs) lines.Add("for production: a 3-node log store");
            return lines;
        }
        lines.Add($"control plane: {Count(ha.ControlPlaneReplicas, "replica")} behind the load balancer, sharing one PostgreSQL (SQLite is single-process and cannot back replicas)");
        if (ha.ControlPlaneReplicas < 2)
            findings.Add(new Finding(FindingLevel.Warning, "ha", "ha is on but the control plane has 1 replica: a failure stops the API; use 3"));
        lines.Add(ha.Postgres switch
        {
            PostgresMode.PrimaryReplica => "PostgreSQL: primary + streaming replica; point the control plane at the primary's service",
            PostgresMode.Managed => "PostgreSQL: a managed database service with automatic failover",
            _ => "PostgreSQL: a single instance",
        });
        if (ha.Postgres == PostgresMode.Single)
            findings.Add(new Finding(FindingLevel.Warning, "ha", "ha is on but PostgreSQL is a single instance: it is the remaining single point of failure"));
        if (hasLogs)
        {
            lines.Add($"log store: {Count(ha.LogStoreNodes, "node")}");
            if (ha.LogStoreNodes < 3) findings.Add(new Finding(FindingLevel.Warning, "ha", $"the log store has {Count(ha.LogStoreNodes, "node")}: 3 are needed to survive the loss of one"));
        }
        return lines;
    }

    private static List<string> CloudNotes(TopologySpec topology)
    {
        var notes = new List<string>();
        foreach (var group in topology.Clusters.GroupBy(c => c.Cloud).OrderBy(g => g.Key))
        {
            var names = string.Join(", ", group.Select(c => c.Name));
            switch (group.Key)
            {
                case CloudProvider.Eks:
                    notes.Add($"EKS ({names}): load balancers are private by default; annotate the public Services (control-plane ingress, data-plane gateways) with service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing");
                    notes.Add($"EKS ({names}): load balancers get a hostname instead of an IP, so the DNS records above are CNAMEs (find the name with kubectl get svc; dig +short resolves it)");
                    break;
                case CloudProvider.Gke:
                case CloudProvider.Aks:
                    notes.Add($"{group.Key.ToString().ToUpperInvariant()} ({names}): load balancers get public IPs directly; nothing extra to configure");
                    break;
                default:
                    notes.Add($"on-premises ({names}): install a load-balancer implementation (MetalLB or similar), or use NodePort behind an external load balancer");
                    break;
            }
        }
        if (topology.Clusters.Count > 1)
        {
            notes.Add($"agents in other clusters dial out to the control plane: allow egress to api.openchoreo.{topology.Domain}:443 (enrollment) and the cluster gateway on port {ClusterGatewayPort} (mutual TLS); nothing on their side needs to be reachable from outside");
        }
        return notes;
    }

    private static List<string> Checklist(TopologySpec topology, List<(ClusterSpec Cluster, PlaneSpec Plane)> placed, List<Finding> findings)
    {
        var versions = string.Join(", ", topology.Clusters.Select(c => $"{c.Name} {c.KubernetesVersion} ({c.Nodes} nodes)"));
        var tls = string.Join(", ", placed.Where(x => x.Plane.Type != PlaneType.Observability)
            .Select(x => $"{Describe(x.Plane)}: {Strategy(x.Plane.Tls ?? DefaultTls(x.Plane.Type))}"));
        return
        [
            $"Kubernetes {MinimumKubernetes}+ with 3+ nodes on every cluster: {versions}",
            $"the domain {topology.Domain} is registered and you can create records in its zone",
            $"a TLS strategy for each plane: {tls}",
            "certificates are issued and renewed by the platform itself (no cert-manager needed); bring-your-own certificates are loaded with occ secret tls",
            "load-balancer support confirmed on every cluster (see cloud notes)",
            $"cluster-admin access to {(topology.Clusters.Count == 1 ? "the cluster" : $"each of the {topology.Clusters.Count} clusters")}",
        ];
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    internal static string Describe(PlaneSpec plane) => plane.Type switch
    {
        PlaneType.Data => $"data plane {plane.Name}",
        _ => $"the {plane.Type.ToString().ToLowerInvariant()} plane",
    };

    internal static string Strategy(TlsSpec tls) => tls.Strategy switch
    {
        TlsStrategy.Acme => tls.Solver == AcmeSolver.Http01 ? "ACME HTTP-01" : $"ACME DNS-01 ({tls.DnsProvider})",
        TlsStrategy.Issuer => $"{tls.IssuerKind} {tls.IssuerName}",
        TlsStrategy.Ca => "platform CA",
        TlsStrategy.BringYourOwn => "bring your own",
        _ => "self-signed",
    };
}
