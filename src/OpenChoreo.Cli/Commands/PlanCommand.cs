using System.CommandLine;
using System.Text.Json;
using OpenChoreo.Model;
using OpenChoreo.Planning;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ plan</c>: turns a topology (a file, or flags for the simple cases) into the deployment plan — namespaces,
/// hosts and certificates, DNS records, issuer and certificate manifests, HA and cloud notes, and the checklist.
/// Offline: needs no control plane. Exits 2 when the plan has refusals, so scripts can gate on it.
/// </summary>
public static class PlanCommand
{
    public const int RefusedExitCode = 2;

    public static Command Create(CliIO io)
    {
        var file = new Option<string?>("--filename", "-f") { Description = "Topology file (YAML; see docs/planning.md) or '-' for stdin" };
        var domain = new Option<string?>("--domain") { Description = "Base domain D: hosts become openchoreo.D, api.openchoreo.D, *.apps.openchoreo.D…" };
        var multi = new Option<bool>("--multi-cluster") { Description = "Put each plane in its own cluster (default: one cluster)" };
        var planes = new Option<string[]>("--with")
        {
            Description = "Optional planes to include: build, observability (repeatable or comma-separated)",
            AllowMultipleArgumentsPerToken = true,
        };
        var tls = new Option<string>("--tls")
        {
            Description = "TLS for every plane: acme (HTTP-01, DNS-01 for the wildcard), acme-dns01, ca, bring-your-own, self-signed",
            DefaultValueFactory = _ => "acme",
        };
        tls.AcceptOnlyFromAmong("acme", "acme-dns01", "ca", "bring-your-own", "self-signed");
        var dnsProvider = new Option<string>("--dns-provider") { Description = "DNS-01 provider: rfc2136 or cloudflare", DefaultValueFactory = _ => "rfc2136" };
        dnsProvider.AcceptOnlyFromAmong("rfc2136", "cloudflare");
        var email = new Option<string?>("--email") { Description = "ACME account email" };
        var cloud = new Option<string>("--cloud") { Description = "eks, gke, aks or onprem", DefaultValueFactory = _ => "onprem" };
        cloud.AcceptOnlyFromAmong("eks", "gke", "aks", "onprem");
        var ha = new Option<bool>("--ha") { Description = "Plan for high availability (3 control-plane replicas, PostgreSQL primary + replica, 3-node log store)" };
        var k8s = new Option<string>("--kubernetes-version") { Description = "Kubernetes version of the clusters", DefaultValueFactory = _ => DeploymentPlanner.MinimumKubernetes };
        var output = new Option<string>("--output", "-o") { Description = "Output format: text, yaml or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "yaml", "json");
        var resourcesOnly = new Option<bool>("--resources-only") { Description = "Print only the Issuer and Certificate manifests (YAML, ready for occ apply -f -)" };

        var cmd = new Command("plan", "Plan a deployment: topology, domains, TLS per plane, DNS records, HA and cloud notes (offline)")
        {
            file, domain, multi, planes, tls, dnsProvider, email, cloud, ha, k8s, output, resourcesOnly,
        };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            TopologySpec topology;
            if (p.GetValue(file) is { } path)
            {
                if (p.GetValue(domain) is not null) throw new CliException("--domain and --filename cannot be combined: put the domain in the file");
                var text = path == "-" ? await io.In.ReadToEndAsync(ct) : await ReadFileAsync(path, ct);
                try
                {
                    topology = TopologyReader.Read(text);
                }
                catch (TopologyException e)
                {
                    throw new CliException($"{(path == "-" ? "stdin" : path)}: {e.Message}");
                }
            }
            else
            {
                var d = p.GetValue(domain) ?? throw new CliException("give a topology file (-f) or at least --domain");
                if (!Names.IsDns1123Subdomain(d)) throw new CliException($"--domain: \"{d}\" is not a DNS name");
                topology = FromFlags(d, p.GetValue(multi), Split(p.GetValue(planes)), p.GetValue(tls)!, p.GetValue(dnsProvider)!,
                    p.GetValue(email), p.GetValue(cloud)!, p.GetValue(ha), p.GetValue(k8s)!);
            }
            var plan = DeploymentPlanner.Plan(topology);
            if (p.GetValue(resourcesOnly)) await io.Out.WriteAsync(YamlCodec.WriteAll(plan.Resources));
            else
            {
                await io.Out.WriteAsync(p.GetValue(output) switch
                {
                    "json" => PlanReport.ToJson(plan).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n",
                    "yaml" => YamlCodec.Write(PlanReport.ToJson(plan)),
                    _ => PlanReport.ToText(plan),
                });
            }
            if (plan.Usable) return 0;
            await io.Err.WriteLineAsync($"error: the plan has {plan.Refusals.Count()} refusal(s); see REFUSED above");
            return RefusedExitCode;
        }));
        return cmd;
    }

    private static async Task<string> ReadFileAsync(string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new CliException($"{path}: no such file");
        if (info.Length > TopologyReader.MaxBytes) throw new CliException($"{path}: larger than {TopologyReader.MaxBytes / 1024} KiB; a topology is a few dozen lines");
        return await File.ReadAllTextAsync(path, ct);
    }

    private static HashSet<string> Split(string[]? values)
    {
        var set = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet();
        foreach (var v in set.Where(v => v is not ("build" or "observability")))
            throw new CliException($"--with: \"{v}\" is not one of build, observability");
        return set;
    }

    /// <summary>The simple topologies of the seed: everything in one cluster, or each plane in its own.</summary>
    internal static TopologySpec FromFlags(string domain, bool multiCluster, HashSet<string> optional, string tls, string dnsProvider,
        string? email, string cloud, bool ha, string kubernetesVersion)
    {
        TlsSpec? For(PlaneType type) => tls switch
        {
            "acme" => DeploymentPlanner.DefaultTls(type) with { DnsProvider = dnsProvider, Email = email },
            "acme-dns01" => new TlsSpec(TlsStrategy.Acme) { Solver = AcmeSolver.Dns01, DnsProvider = dnsProvider, Email = email },
            "ca" => new TlsSpec(TlsStrategy.Ca),
            "bring-your-own" => new TlsSpec(TlsStrategy.BringYourOwn),
            _ => new TlsSpec(TlsStrategy.SelfSigned),
        };
        var planes = new List<PlaneSpec> { new(PlaneType.Control, "default", For(PlaneType.Control)), new(PlaneType.Data, "default", For(PlaneType.Data)) };
        if (optional.Contains("build")) planes.Add(new PlaneSpec(PlaneType.Build, "default", For(PlaneType.Build)));
        if (optional.Contains("observability")) planes.Add(new PlaneSpec(PlaneType.Observability, "default", null));
        var provider = cloud switch { "eks" => CloudProvider.Eks, "gke" => CloudProvider.Gke, "aks" => CloudProvider.Aks, _ => CloudProvider.OnPrem };
        List<ClusterSpec> clusters = multiCluster
            ? [.. planes.Select(pl => new ClusterSpec(pl.Type.ToString().ToLowerInvariant(), provider, kubernetesVersion, 3, [pl]))]
            : [new ClusterSpec("main", provider, kubernetesVersion, 3, planes)];
        return new TopologySpec(domain, clusters, ha ? HaSpec.Recommended : HaSpec.Default);
    }
}
