using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>Reads shared by the controllers: references are plain names resolved in the organization's namespace.</summary>
internal static class Lookups
{
    public static string? Str(JsonNode? n, params string[] path)
    {
        foreach (var p in path) n = n is JsonObject o ? o[p] : null;
        return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>The Workloads that belong to a component (matched by spec.owner), as upstream matches them.</summary>
    public static async Task<IReadOnlyList<ResourceObject>> WorkloadsOfAsync(IResourceStore store, string ns, string project, string component, CancellationToken ct) =>
        (await store.ListAsync(new ListOptions("Workload", ns)
        {
            Filter = w => Str(w.Spec, "owner", "projectName") == project && Str(w.Spec, "owner", "componentName") == component,
        }, ct)).Items;

    /// <summary>
    /// The first environment of a pipeline: the first <c>sourceEnvironmentRef</c> that is never a target (upstream's
    /// rule), falling back to the first source.
    /// </summary>
    public static string? RootEnvironment(ResourceObject pipeline)
    {
        if (pipeline.Spec?["promotionPaths"] is not JsonArray paths || paths.Count == 0) return null;
        var targets = paths.OfType<JsonObject>()
            .SelectMany(p => (p["targetEnvironmentRefs"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Select(t => Str(t, "name")).ToHashSet();
        var sources = paths.OfType<JsonObject>().Select(p => Str(p, "sourceEnvironmentRef")).Where(s => s is not null).ToList();
        return sources.FirstOrDefault(s => !targets.Contains(s)) ?? sources.FirstOrDefault();
    }

    /// <summary>Parses <c>workloadType/name</c> (the rule API admission applies too).</summary>
    public static ComponentTypeReference? ParseComponentType(string? value) => ComponentTypeReference.Parse(value);
}
