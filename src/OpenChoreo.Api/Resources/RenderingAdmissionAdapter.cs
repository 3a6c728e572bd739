using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Admission;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// The platform-engineering checks of issue 4 at the API: a ComponentType's or Trait's schemas parse, templates are
/// well formed and every CEL expression compiles (errors give the field and the position in the expression); a
/// Component's ComponentType and Traits exist (<see cref="ComponentReferenceChecks"/>), its trait instance names are
/// unique and its parameters fit the schemas of the type and traits that exist.
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
                // A write that leaves the spec as stored (status, finalizers, labels; also while the Component is being
                // deleted after its type went away) is not judged again: the controller owns reporting drift.
                if (old is not null && JsonNode.DeepEquals(obj.Spec, old.Spec)) return [];
                var refs = await ComponentReferenceChecks.CheckAsync(store, obj, old, ct);
                var causes = new List<StatusCause>(refs.Causes);
                causes.AddRange(RenderingAdmission.ValidateComponent(obj.Node, refs.TypeSpec, refs.TraitSpecs));
                return causes;
            default:
                return [];
        }
    }
}
