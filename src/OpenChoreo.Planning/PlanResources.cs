using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Planning;

/// <summary>
/// The Issuer and Certificate manifests a plan asks for, one issuer per namespace and strategy. Shapes follow
/// cert-manager's (acme/ca/selfSigned issuers; Certificate with secretName, dnsNames, issuerRef, duration,
/// renewBefore) so operators recognise them. Secrets the issuers need are named, never invented.
/// </summary>
internal static class PlanResources
{
    /// <summary>90 days, renewed 30 days before expiry: the 2/3-of-lifetime rule.</summary>
    private const string Duration = "2160h";
    private const string RenewBefore = "720h";

    public static IReadOnlyList<JsonObject> For(IReadOnlyList<PlannedCertificate> certificates, List<(ClusterSpec Cluster, PlaneSpec Plane)> placed)
    {
        var issuers = new Dictionary<(string Cluster, string Ns, string Name), JsonObject>();
        var certs = new List<JsonObject>();
        foreach (var cert in certificates)
        {
            var plane = placed.First(x => x.Cluster.Name == cert.Cluster && x.Plane.Type == cert.Plane && Names(cert, x.Plane)).Plane;
            var tls = plane.Tls ?? DeploymentPlanner.DefaultTls(plane.Type);
            (string Name, string Kind)? issuerRef = tls.Strategy switch
            {
                TlsStrategy.Acme => (tls.Solver == AcmeSolver.Http01 ? "acme-http01" : $"acme-dns01-{tls.DnsProvider}", "Issuer"),
                TlsStrategy.Ca => ("platform-ca", "Issuer"),
                TlsStrategy.SelfSigned => ("self-signed", "Issuer"),
                TlsStrategy.Issuer => (tls.IssuerName!, tls.IssuerKind),
                _ => null,
            };
            if (issuerRef is null) continue; // bring your own: a TLS secret, no issuer
            if (issuerRef.Value.Kind == "Issuer" && tls.Strategy != TlsStrategy.Issuer)
                issuers.TryAdd((cert.Cluster, cert.Namespace, issuerRef.Value.Name), Issuer(issuerRef.Value.Name, cert.Cluster, cert.Namespace, tls));
            certs.Add(Manifest("Certificate", cert.Name, cert.Cluster, cert.Namespace, new JsonObject
            {
                ["secretName"] = cert.SecretName,
                ["dnsNames"] = new JsonArray([.. cert.DnsNames.Select(n => (JsonNode)n)]),
                ["issuerRef"] = new JsonObject { ["name"] = issuerRef.Value.Name, ["kind"] = issuerRef.Value.Kind },
                ["duration"] = Duration,
                ["renewBefore"] = RenewBefore,
            }));
        }
        return [.. issuers.Values, .. certs];
    }

    private static bool Names(PlannedCertificate cert, PlaneSpec plane) =>
        plane.Type != PlaneType.Data || cert.Name == $"data-plane-{plane.Name}-tls";

    private static JsonObject Issuer(string name, string cluster, string ns, TlsSpec tls) => Manifest("Issuer", name, cluster, ns, tls.Strategy switch
    {
        TlsStrategy.Acme => new JsonObject
        {
            ["acme"] = new JsonObject
            {
                ["server"] = tls.AcmeServer,
                ["email"] = tls.Email ?? "<your email>",
                ["privateKeySecretRef"] = new JsonObject { ["name"] = $"{name}-account-key" },
                ["solvers"] = new JsonArray(Solver(tls)),
            },
        },
        TlsStrategy.Ca => new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "platform-ca" } },
        _ => new JsonObject { ["selfSigned"] = new JsonObject() },
    });

    private static JsonObject Solver(TlsSpec tls) => tls.Solver == AcmeSolver.Http01
        ? new JsonObject { ["http01"] = new JsonObject() }
        : new JsonObject
        {
            ["dns01"] = tls.DnsProvider == "cloudflare"
                ? new JsonObject { ["cloudflare"] = new JsonObject { ["apiTokenSecretRef"] = new JsonObject { ["name"] = "cloudflare-api-token", ["key"] = "api-token" } } }
                : new JsonObject
                {
                    ["rfc2136"] = new JsonObject
                    {
                        ["nameserver"] = "<authoritative DNS server:53>",
                        ["tsigKeyName"] = "<TSIG key name>",
                        ["tsigAlgorithm"] = "HMACSHA256",
                        ["tsigSecretSecretRef"] = new JsonObject { ["name"] = "rfc2136-tsig", ["key"] = "secret" },
                    },
                },
        };

    /// <summary>Annotation naming the cluster a manifest belongs to: plane namespaces repeat across clusters.</summary>
    public const string ClusterAnnotation = "openchoreo.dev/plan-cluster";

    private static JsonObject Manifest(string kind, string name, string cluster, string ns, JsonObject spec) => new()
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["annotations"] = new JsonObject { [ClusterAnnotation] = cluster },
        },
        ["spec"] = spec,
    };
}
