using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Output;

/// <summary>A column of <c>occ get</c>: a header and how to compute the cell. Wide-only columns appear with -o wide.</summary>
public sealed record Column(string Header, Func<ResourceObject, DateTimeOffset, string> Value, bool WideOnly = false);

/// <summary>The columns a user wants per kind (NAME first, AGE last; NAMESPACE is added for -A).</summary>
public static class Columns
{
    public static IReadOnlyList<Column> For(ResourceKind kind)
    {
        var cols = new List<Column> { new("NAME", (o, _) => o.Name) };
        cols.AddRange(kind.Kind switch
        {
            "Organization" => [new("DISPLAY NAME", (o, _) => o.Annotations.GetValueOrDefault("openchoreo.dev/display-name") ?? "")],
            "Project" => [Text("PIPELINE", "spec.deploymentPipelineRef"), Ready()],
            "Environment" => [Text("DATA PLANE", "spec.dataPlaneRef"), Text("PRODUCTION", "spec.isProduction", "false"), Text("DNS PREFIX", "spec.gateway.dnsPrefix", wide: true)],
            "DataPlane" => [Text("PUBLIC VHOST", "spec.gateway.publicVirtualHost"), Text("AGENT", "spec.agent.enabled", "false", wide: true), Ready()],
            "BuildPlane" or "ObservabilityPlane" => [Text("AGENT", "spec.agent.enabled", "false"), Ready()],
            "DeploymentPipeline" => [new Column("PATHS", (o, _) => Paths(o))],
            "ComponentType" => [Text("WORKLOAD TYPE", "spec.workloadType"), new("RESOURCES", (o, _) => Count(o, "spec.resources"), WideOnly: true)],
            "Trait" => [new Column("CREATES", (o, _) => Count(o, "spec.creates"), WideOnly: true), new Column("PATCHES", (o, _) => Count(o, "spec.patches"), WideOnly: true)],
            "Component" => [Text("PROJECT", "spec.owner.projectName"), new("TYPE", (o, _) => Get(o, "spec.componentType") ?? Get(o, "spec.type") ?? ""), Text("AUTODEPLOY", "spec.autoDeploy", "false", wide: true), Text("LATEST RELEASE", "status.latestRelease.name", wide: true), Ready()],
            "Workload" => [Text("PROJECT", "spec.owner.projectName"), Text("COMPONENT", "spec.owner.componentName"), new("IMAGE", (o, _) => Images(o), WideOnly: true)],
            "ComponentRelease" => [Text("PROJECT", "spec.owner.projectName"), Text("COMPONENT", "spec.owner.componentName")],
            "ReleaseBinding" => [Text("PROJECT", "spec.owner.projectName"), Text("COMPONENT", "spec.owner.componentName"), Text("ENVIRONMENT", "spec.environment"), Text("RELEASE", "spec.releaseName"), Text("STATE", "spec.state", "Active"), Ready()],
            "Release" => [Text("COMPONENT", "spec.owner.componentName"), Text("ENVIRONMENT", "spec.environmentName"), new("RESOURCES", (o, _) => Count(o, "spec.resources"))],
            "Promotion" => [Text("COMPONENT", "spec.component"), Text("FROM", "spec.from"), Text("TO", "spec.to"), Text("RELEASE", "spec.releaseName"), Text("PHASE", "status.phase"), Text("REQUESTED BY", "spec.requestedBy"), Text("DECIDED BY", "status.decidedBy", wide: true)],
            "SecretReference" => [new Column("KEYS", (o, _) => Count(o, "spec.data"))],
            // Secrets: how many keys, never their values.
            "Secret" => [Text("TYPE", "type"), new Column("DATA", (o, _) => ((o.Node["data"] as JsonObject)?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture))],
            "Issuer" or "ClusterIssuer" => [Ready()],
            "Certificate" => [Text("SECRET", "spec.secretName"), Ready(), Text("NOT AFTER", "status.notAfter", wide: true)],
            "ComponentWorkflowRun" or "WorkflowRun" or "Build" => [Text("COMPONENT", "spec.owner.componentName"), Ready()],
            _ => [],
        });
        cols.Add(new("AGE", (o, now) => Age.Since(o.CreationTimestamp, now)));
        return cols;
    }

    private static Column Text(string header, string path, string fallback = "", bool wide = false) =>
        new(header, (o, _) => Get(o, path) ?? fallback, wide);

    /// <summary>The Ready condition's status, or empty when the object has no conditions yet.</summary>
    private static Column Ready() => new("READY", (o, _) =>
    {
        var cond = (o.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Ready");
        if (cond is null) return "";
        var status = (string?)cond["status"] ?? "Unknown";
        var reason = (string?)cond["reason"];
        return status == "True" || string.IsNullOrEmpty(reason) ? status : $"{status} ({reason})";
    });

    public static string? Get(ResourceObject o, string path)
    {
        JsonNode? n = o.Node;
        foreach (var part in path.Split('.'))
        {
            n = n is JsonObject obj ? obj[part] : null;
            if (n is null) return null;
        }
        return n is JsonValue v ? v.ToString() : n.ToJsonString();
    }

    private static string Count(ResourceObject o, string path)
    {
        JsonNode? n = o.Node;
        foreach (var part in path.Split('.')) n = n is JsonObject obj ? obj[part] : null;
        return n is JsonArray a ? a.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
    }

    private static string Paths(ResourceObject o) =>
        o.Spec?["promotionPaths"] is JsonArray paths
            ? string.Join(", ", paths.OfType<JsonObject>().Select(p =>
                $"{(string?)p["sourceEnvironmentRef"]}→{string.Join("|", (p["targetEnvironmentRefs"] as JsonArray)?.OfType<JsonObject>().Select(t => (string?)t["name"] + ((bool?)t["requiresApproval"] == true ? "*" : "")) ?? [])}"))
            : "";

    private static string Images(ResourceObject o) =>
        o.Spec?["containers"] is JsonObject containers
            ? string.Join(",", containers.Select(c => (string?)c.Value?["image"] ?? ""))
            : "";
}
