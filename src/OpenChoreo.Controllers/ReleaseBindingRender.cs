using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Pipeline;

namespace OpenChoreo.Controllers;

/// <summary>
/// Turns a ComponentRelease snapshot plus a binding into a render input, and the render into Release resources.
/// The ComponentType and Trait specs come from the snapshot, never from the live objects, so a release renders the
/// same after the platform engineer edits a type.
/// </summary>
internal static class ReleaseBindingRender
{
    public static ComponentRenderInput Input(ResourceObject binding, ResourceObject componentRelease, ResourceObject environment,
        ResourceObject dataPlane, ResourceObject component, ResourceObject project, IReadOnlyList<ResourceObject> secretReferences)
    {
        var snapshot = componentRelease.Spec as JsonObject ?? new JsonObject();
        var traits = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (name, spec) in snapshot["traits"] as JsonObject ?? []) traits[name] = spec as JsonObject ?? new JsonObject();
        var profile = snapshot["componentProfile"] as JsonObject;
        return new ComponentRenderInput
        {
            Organization = binding.Namespace,
            ProjectName = project.Name,
            ComponentName = component.Name,
            ComponentTypeSpec = snapshot["componentType"] as JsonObject ?? new JsonObject(),
            TraitSpecs = traits,
            ComponentSpec = new JsonObject
            {
                ["parameters"] = profile?["parameters"]?.DeepClone() ?? new JsonObject(),
                ["traits"] = profile?["traits"]?.DeepClone() ?? new JsonArray(),
            },
            WorkloadSpec = snapshot["workload"] as JsonObject,
            ReleaseBindingSpec = binding.Spec as JsonObject,
            SecretReferences = [.. secretReferences.Select(s => s.Node)],
            Environment = new EnvironmentInfo(environment.Name, environment.Uid ?? "", environment.Spec as JsonObject),
            DataPlane = new DataPlaneInfo(dataPlane.Name, dataPlane.Uid ?? "",
                Lookups.Str(dataPlane.Spec, "gateway", "publicVirtualHost") ?? "",
                Lookups.Str(dataPlane.Spec, "secretStoreRef", "name") ?? "")
            {
                ObservabilityPlaneName = Lookups.Str(dataPlane.Spec, "observabilityPlaneRef"),
            },
            ComponentUid = component.Uid ?? "",
            ProjectUid = project.Uid ?? "",
        };
    }

    /// <summary>
    /// <c>Release.spec.resources</c>: rendered resources of one plane (the data-plane or the observability-plane set) as
    /// <c>{id, object}</c>, scaled to zero / suspended when <paramref name="suspend"/>.
    /// </summary>
    public static JsonArray Resources(IEnumerable<RenderedResource> resources, bool suspend)
    {
        var list = new JsonArray();
        foreach (var r in resources)
        {
            var obj = (JsonObject)r.Object.DeepClone();
            if (suspend) Suspend(obj);
            list.Add(new JsonObject { ["id"] = r.Id, ["object"] = obj });
        }
        return list;
    }

    /// <summary>Suspend keeps the objects but stops their pods: no replicas, no scheduled or started jobs.</summary>
    internal static void Suspend(JsonObject obj)
    {
        var (field, value) = (string?)obj["kind"] switch
        {
            "Deployment" or "StatefulSet" => ("replicas", (JsonNode)0),
            "CronJob" or "Job" => ("suspend", (JsonNode)true),
            _ => ("", null!),
        };
        if (field.Length == 0) return;
        if (obj["spec"] is not JsonObject spec) obj["spec"] = spec = new JsonObject();
        spec[field] = value;
    }
}
