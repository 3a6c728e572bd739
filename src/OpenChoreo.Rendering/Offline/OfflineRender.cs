using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Pipeline;

namespace OpenChoreo.Rendering.Offline;

/// <summary>Settings of an offline render (what a control plane would otherwise supply).</summary>
public sealed record OfflineRenderOptions
{
    /// <summary>Environment name; default: the ReleaseBinding's environment, else <c>development</c>.</summary>
    public string? Environment { get; init; }

    /// <summary>Organization; default: the Component's namespace, else <c>default</c>.</summary>
    public string? Organization { get; init; }

    /// <summary>Project; default: the Component's <c>spec.owner.projectName</c>.</summary>
    public string? Project { get; init; }

    public string DataPlaneName { get; init; } = "default";

    public string PublicVirtualHost { get; init; } = "apps.openchoreo.localhost";

    public string SecretStore { get; init; } = "default";
}

/// <summary>One Component's render from local files.</summary>
public sealed record OfflineRenderResult(string ComponentName, RenderResult Result);

/// <summary>
/// Renders Components from a set of local manifests (ComponentTypes, Traits, Components, Workloads, ReleaseBindings,
/// SecretReferences), as <c>occ render</c> does. A ComponentType missing from the set falls back to the embedded
/// defaults. UIDs are deterministic placeholders: a UUID made from the SHA-256 of <c>kind/namespace/name</c>.
/// </summary>
public static class OfflineRender
{
    public static IReadOnlyList<OfflineRenderResult> Render(IEnumerable<JsonObject> manifests, OfflineRenderOptions options, ComponentRenderer? renderer = null)
    {
        renderer ??= ComponentRenderer.Default;
        var all = manifests.ToList();
        IEnumerable<JsonObject> OfKind(string kind) => all.Where(o => (string?)o["kind"] == kind);
        var components = OfKind("Component").ToList();
        if (components.Count == 0)
            return [new OfflineRenderResult("", RenderResult.Failed([new StatusCause("", CauseReasons.Required, "no Component among the manifests")]))];

        var types = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var ct in DefaultComponentTypes.Get().Concat(OfKind("ComponentType"))) types[Name(ct)] = ct;
        var traits = OfKind("Trait").GroupBy(Name).ToDictionary(g => g.Key, g => (JsonObject)(g.Last()["spec"] as JsonObject ?? new JsonObject()), StringComparer.Ordinal);
        var secretRefs = OfKind("SecretReference").ToList();

        var results = new List<OfflineRenderResult>();
        foreach (var component in components)
        {
            var name = Name(component);
            var spec = component["spec"] as JsonObject ?? new JsonObject();
            var typeRef = (string?)spec["componentType"] ?? "";
            var typeName = typeRef.Contains('/') ? typeRef[(typeRef.IndexOf('/') + 1)..] : typeRef;
            if (!types.TryGetValue(typeName, out var componentType))
            {
                results.Add(new(name, RenderResult.Failed([new StatusCause("spec.componentType", CauseReasons.NotFound,
                    $"ComponentType \"{typeName}\" is neither among the files nor a default ({string.Join(", ", types.Keys.Order())})")])));
                continue;
            }
            var workload = OfKind("Workload").FirstOrDefault(w => (string?)w["spec"]?["owner"]?["componentName"] == name)
                ?? OfKind("Workload").FirstOrDefault(w => Name(w) == name);
            var bindings = OfKind("ReleaseBinding").Where(b => (string?)b["spec"]?["owner"]?["componentName"] == name).ToList();
            var binding = options.Environment is { } wanted
                ? bindings.FirstOrDefault(b => (string?)b["spec"]?["environment"] == wanted)
                : bindings.FirstOrDefault();
            var env = options.Environment ?? (string?)binding?["spec"]?["environment"] ?? "development";
            var org = options.Organization ?? ((string?)component["metadata"]?["namespace"] is { Length: > 0 } ns ? ns : "default");
            var project = options.Project ?? (string?)spec["owner"]?["projectName"] ?? "default";
            var input = new ComponentRenderInput
            {
                Organization = org,
                ProjectName = project,
                ComponentName = name,
                ComponentTypeSpec = componentType["spec"] as JsonObject ?? new JsonObject(),
                TraitSpecs = traits,
                ComponentSpec = spec,
                WorkloadSpec = workload?["spec"] as JsonObject,
                ReleaseBindingSpec = binding?["spec"] as JsonObject,
                SecretReferences = secretRefs,
                Environment = new EnvironmentInfo(env, PlaceholderUid("Environment", org, env)),
                DataPlane = new DataPlaneInfo(options.DataPlaneName, PlaceholderUid("DataPlane", org, options.DataPlaneName), options.PublicVirtualHost, options.SecretStore),
                ComponentUid = PlaceholderUid("Component", org, name),
                ProjectUid = PlaceholderUid("Project", org, project),
            };
            results.Add(new(name, renderer.Render(input)));
        }
        return results;
    }

    /// <summary>A stable UUID-shaped placeholder for an object that has no server-assigned uid offline.</summary>
    public static string PlaceholderUid(string kind, string ns, string name)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/{ns}/{name}"));
        h[6] = (byte)((h[6] & 0x0F) | 0x80); // version 8 (custom)
        h[8] = (byte)((h[8] & 0x3F) | 0x80); // RFC 4122 variant
        var hex = Convert.ToHexStringLower(h.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static string Name(JsonObject o) => (string?)o["metadata"]?["name"] ?? "";
}
