using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Tasks;

/// <summary>One declared promotion edge of a DeploymentPipeline.</summary>
public sealed record PromotionEdge(string From, string To, bool RequiresApproval);

/// <summary>
/// A DeploymentPipeline's promotion paths as a graph. The root is the first source that is never a target (upstream
/// <c>findRootEnvironment</c>); environments are ordered breadth-first from it so status rows read dev → prod.
/// </summary>
public sealed class PipelineGraph
{
    private PipelineGraph(string name, IReadOnlyList<PromotionEdge> edges, string? root, IReadOnlyList<string> environments)
    {
        Name = name;
        Edges = edges;
        Root = root;
        Environments = environments;
    }

    public string Name { get; }

    public IReadOnlyList<PromotionEdge> Edges { get; }

    public string? Root { get; }

    public IReadOnlyList<string> Environments { get; }

    public static PipelineGraph From(ResourceObject pipeline)
    {
        var edges = new List<PromotionEdge>();
        var sources = new List<string>();
        foreach (var path in (pipeline.Spec?["promotionPaths"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)path["sourceEnvironmentRef"] is not { Length: > 0 } from) continue;
            sources.Add(from);
            foreach (var t in (path["targetEnvironmentRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if ((string?)t["name"] is not { Length: > 0 } to) continue;
                // Both upstream flags mean "a person must agree"; v0.8 declares them but never enforces either.
                edges.Add(new PromotionEdge(from, to, IsTrue(t["requiresApproval"]) || IsTrue(t["isManualApprovalRequired"])));
            }
        }
        var targets = edges.Select(e => e.To).ToHashSet(StringComparer.Ordinal);
        var root = sources.FirstOrDefault(s => !targets.Contains(s)) ?? sources.FirstOrDefault();
        var order = new List<string>();
        var queue = new Queue<string>();
        if (root is not null) queue.Enqueue(root);
        foreach (var s in sources) queue.Enqueue(s);
        while (queue.Count > 0)
        {
            var env = queue.Dequeue();
            if (order.Contains(env)) continue;
            order.Add(env);
            foreach (var e in edges.Where(e => e.From == env)) queue.Enqueue(e.To);
        }
        foreach (var e in edges.Where(e => !order.Contains(e.To))) order.Add(e.To);
        return new PipelineGraph(pipeline.Name, edges, root, order);
    }

    public bool Contains(string env) => Environments.Contains(env);

    public PromotionEdge? FindEdge(string from, string to) => Edges.FirstOrDefault(e => e.From == from && e.To == to);

    public IEnumerable<string> TargetsOf(string from) => Edges.Where(e => e.From == from).Select(e => e.To);

    /// <summary>True when some edge into the environment needs approval: it may then be reached by promotion only.</summary>
    public bool IsGated(string env) => Edges.Any(e => e.To == env && e.RequiresApproval);

    private static bool IsTrue(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
