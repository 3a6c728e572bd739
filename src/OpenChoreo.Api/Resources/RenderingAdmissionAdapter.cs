using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Admission;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// The platform-engineering checks of issue 4 at the API: a ComponentType's or Trait's schemas parse, templates are
/// well formed and every CEL expression compiles (errors give the field and the position in the expression); a
/// Component's trait instance names are unique and, when its ComponentType and Traits exist, its parameters fit their
/// schemas. A Component whose type does not exist yet is admitted (apply order within a file must not matter); its
/// controller reports ComponentTypeNotFound instead.
/// </summary>
public sealed class RenderingAdmissionAdapter(IResourceStore store) : IAdmission
{
    public void Default(ResourceObject obj, ResourceKind kind)
    {
    }

    public async ValueTask<IReadOnlyList<StatusCause>> ValidateAsync(ResourceObject obj, ResourceObject? old, ResourceKind kind, CancellationToken ct)
    {
        switch (kind.Kind)
        {
            case "ComponentType":
                return RenderingAdmission.ValidateComponentType(obj.Node);
            case "Trait":
                return RenderingAdmission.ValidateTrait(obj.Node);
            case "Component":
                var typeName = ((string?)(obj.Spec?["componentType"] as JsonValue))?.Split('/') is [_, var name] ? name : null;
                var type = typeName is null ? null : await store.GetAsync(new ResourceKey("ComponentType", obj.Namespace, typeName), ct);
                var traits = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                foreach (var t in (obj.Spec?["traits"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    if ((string?)(t["name"] as JsonValue) is not { } traitName || traits.ContainsKey(traitName)) continue;
                    if (await store.GetAsync(new ResourceKey("Trait", obj.Namespace, traitName), ct) is { Spec: JsonObject traitSpec }) traits[traitName] = traitSpec;
                }
                return RenderingAdmission.ValidateComponent(obj.Node, type?.Spec as JsonObject, traits);
            default:
                return [];
        }
    }
}
