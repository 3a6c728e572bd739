using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// A Component's references at admission: <c>spec.componentType</c> names an existing ComponentType of that workload
/// type in the Component's namespace, and every <c>spec.traits[].name</c> an existing Trait. Only what the write
/// introduces is checked (the type on create or when the reference changes, a trait name the stored object did not
/// use), so a Component whose type or trait is deleted later can still be updated and deleted; its controller reports
/// ComponentTypeNotFound / TraitNotFound for that case.
/// </summary>
public static class ComponentReferenceChecks
{
    /// <summary>What the checks found: causes, and the specs of the type and traits that exist (for parameter checks).</summary>
    public sealed record Result(IReadOnlyList<StatusCause> Causes, JsonObject? TypeSpec, IReadOnlyDictionary<string, JsonObject> TraitSpecs);

    public static async Task<Result> CheckAsync(IResourceStore store, ResourceObject component, ResourceObject? old, CancellationToken ct)
    {
        var ns = component.Namespace;
        var causes = new List<StatusCause>();
        JsonObject? typeSpec = null;
        var typeText = Str(component.Spec?["componentType"]);
        // An unparsable reference is the schema's to report (its pattern); nothing to resolve here.
        if (ComponentTypeReference.Parse(typeText) is { } typeRef)
        {
            var type = await store.GetAsync(new ResourceKey("ComponentType", ns, typeRef.Name), ct);
            var actual = Str(type?.Spec?["workloadType"]);
            if (type is not null && actual == typeRef.WorkloadType) typeSpec = type.Spec as JsonObject;
            if (old is null || Str(old.Spec?["componentType"]) != typeText)
            {
                if (type is null)
                {
                    causes.Add(new StatusCause("spec.componentType", CauseReasons.NotFound,
                        $"componenttype \"{typeRef.Name}\" not found in namespace \"{ns}\""));
                }
                else if (actual != typeRef.WorkloadType)
                {
                    // The controller refuses this pairing too (upstream checks the workload type when it reconciles).
                    causes.Add(new StatusCause("spec.componentType", CauseReasons.Invalid,
                        $"workload type \"{typeRef.WorkloadType}\" does not match componenttype \"{typeRef.Name}\", whose spec.workloadType is \"{actual}\""));
                }
            }
        }

        var traitSpecs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        var usedBefore = (old?.Spec?["traits"] as JsonArray)?.OfType<JsonObject>().Select(t => Str(t["name"])).ToHashSet(StringComparer.Ordinal);
        if (component.Spec?["traits"] is JsonArray traits)
        {
            for (int i = 0; i < traits.Count; i++)
            {
                if (Str(traits[i]?["name"]) is not { Length: > 0 } name) continue; // required by the schema
                if (!traitSpecs.ContainsKey(name) && !missing.Contains(name))
                {
                    var trait = await store.GetAsync(new ResourceKey("Trait", ns, name), ct);
                    if (trait is null) missing.Add(name);
                    else traitSpecs[name] = trait.Spec as JsonObject ?? new JsonObject();
                }
                if (missing.Contains(name) && usedBefore?.Contains(name) != true)
                {
                    causes.Add(new StatusCause($"spec.traits[{i}].name", CauseReasons.NotFound,
                        $"trait \"{name}\" not found in namespace \"{ns}\""));
                }
            }
        }

        // In an organization that does not exist the API answers 404 for the namespace after admission; a cause for
        // every reference in it would only bury that.
        if (causes.Count > 0 && await store.GetAsync(new ResourceKey("Organization", "", ns), ct) is null)
            causes.Clear();
        return new Result(causes, typeSpec, traitSpecs);
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
