using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Planning;

/// <summary>Writes a plan as a readable report, or as a JSON/YAML document for tools.</summary>
public static class PlanReport
{
    public static JsonObject ToJson(DeploymentPlan plan) => new()
    {
        ["domain"] = plan.Domain,
        ["topology"] = Kebab(plan.Topology.ToString()),
        ["usable"] = plan.Usable,
        ["clusters"] = Array(plan.Clusters.Select(c => new JsonObject
        {
            ["name"] = c.Name,
            ["cloud"] = c.Cloud.ToString().ToLowerInvariant(),
            ["kubernetesVersion"] = c.KubernetesVersion,
            ["nodes"] = c.Nodes,
            ["namespaces"] = Array(plan.Namespaces.Where(n => n.Cluster == c.Name).Select(n => (JsonNode)n.Namespace)),
        })),
        ["hosts"] = Array(plan.Hosts.Select(h => new JsonObject
        {
            ["host"] = h.Host, ["plane"] = Plane(h.Plane, h.PlaneName), ["cluster"] = h.Cluster, ["purpose"] = h.Purpose,
        })),
        ["certificates"] = Array(plan.Certificates.Select(c => new JsonObject
        {
            ["name"] = c.Name, ["namespace"] = c.Namespace, ["cluster"] = c.Cluster,
            ["dnsNames"] = Array(c.DnsNames.Select(n => (JsonNode)n)), ["wildcard"] = c.Wildcard,
            ["strategy"] = Kebab(c.Strategy.ToString()), ["how"] = c.How, ["secretName"] = c.SecretName,
        })),
        ["dnsRecords"] = Array(plan.DnsRecords.Select(r =>
        {
            var o = new JsonObject { ["name"] = r.Name, ["type"] = r.Type, ["target"] = r.Target };
            if (r.Note is not null) o["note"] = r.Note;
            return o;
        })),
        ["resources"] = Array(plan.Resources.Select(r => r.DeepClone())),
        ["highAvailability"] = Array(plan.HighAvailability.Select(s => (JsonNode)s)),
        ["cloudNotes"] = Array(plan.CloudNotes.Select(s => (JsonNode)s)),
        ["checklist"] = Array(plan.Checklist.Select(s => (JsonNode)s)),
        ["findings"] = Array(plan.Findings.Select(f => new JsonObject
        {
            ["level"] = f.Level.ToString().ToLowerInvariant(), ["topic"] = f.Topic, ["message"] = f.Message,
        })),
    };

    public static string ToText(DeploymentPlan plan)
    {
        var sb = new StringBuilder();
        sb.Append("Deployment plan for ").Append(plan.Domain).Append(" (").Append(Kebab(plan.Topology.ToString())).Append(", ")
            .Append(plan.Clusters.Count).Append(plan.Clusters.Count == 1 ? " cluster" : " clusters").Append(")\n");
        var refusals = plan.Refusals.ToList();
        if (refusals.Count > 0)
        {
            Section(sb, "REFUSED — fix these before installing");
            foreach (var r in refusals) sb.Append("  ✗ ").Append(r.Message).Append('\n');
        }

        Section(sb, "Clusters and namespaces");
        foreach (var c in plan.Clusters)
        {
            sb.Append("  ").Append(c.Name).Append(" (").Append(c.Cloud.ToString().ToLowerInvariant()).Append(", Kubernetes ")
                .Append(c.KubernetesVersion).Append(", ").Append(c.Nodes).Append(" nodes)\n");
            foreach (var n in plan.Namespaces.Where(n => n.Cluster == c.Name))
                sb.Append("    ").Append(n.Namespace.PadRight(36)).Append(Plane(n.Plane, n.PlaneName)).Append('\n');
        }

        Section(sb, "Hosts");
        Table(sb, ["HOST", "CLUSTER", "PURPOSE"], plan.Hosts.Select(h => new[] { h.Host, h.Cluster, h.Purpose }));

        Section(sb, "Certificates");
        foreach (var c in plan.Certificates)
        {
            sb.Append("  ").Append(c.Name).Append(" in ").Append(c.Cluster).Append('/').Append(c.Namespace)
                .Append(c.Wildcard ? " (wildcard)" : c.DnsNames.Count > 1 ? " (SAN)" : "").Append('\n');
            sb.Append("    names:  ").Append(string.Join(", ", c.DnsNames)).Append('\n');
            sb.Append("    how:    ").Append(c.How).Append('\n');
            sb.Append("    secret: ").Append(c.SecretName).Append('\n');
        }

        Section(sb, "DNS records");
        Table(sb, ["NAME", "TYPE", "TARGET"], plan.DnsRecords.Select(r => new[] { r.Name, r.Type, r.Target }));

        Section(sb, "High availability");
        foreach (var l in plan.HighAvailability) sb.Append("  - ").Append(l).Append('\n');
        Section(sb, "Cloud notes");
        foreach (var l in plan.CloudNotes) sb.Append("  - ").Append(l).Append('\n');

        var notes = plan.Findings.Where(f => f.Level != FindingLevel.Refusal).ToList();
        if (notes.Count > 0)
        {
            Section(sb, "Warnings and notes");
            foreach (var f in notes) sb.Append(f.Level == FindingLevel.Warning ? "  ! " : "  i ").Append(f.Message).Append('\n');
        }

        Section(sb, "Checklist before you begin");
        foreach (var l in plan.Checklist) sb.Append("  [ ] ").Append(l).Append('\n');

        if (plan.Resources.Count > 0)
        {
            Section(sb, "Resources to apply (occ plan --resources-only prints them alone)");
            foreach (var line in YamlCodec.WriteAll(plan.Resources).Split('\n')) sb.Append(line.Length > 0 ? "  " : "").Append(line).Append('\n');
        }
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static void Section(StringBuilder sb, string title) => sb.Append('\n').Append(title).Append('\n');

    private static void Table(StringBuilder sb, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var r in all)
        {
            sb.Append("  ");
            for (var i = 0; i < r.Length; i++) sb.Append(i == r.Length - 1 ? r[i] : r[i].PadRight(widths[i] + 2));
            sb.Append('\n');
        }
    }

    private static string Plane(PlaneType type, string name) => type == PlaneType.Data ? $"data plane {name}" : $"{type.ToString().ToLowerInvariant()} plane";

    private static string Kebab(string pascal) => string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) && i > 0 ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);
}
