using OpenChoreo.Model;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// Schema defaulting and validation of an object before it reaches the store. The CRD-schema implementation lives in
/// OpenChoreo.Validation; later admission steps (ComponentType/Trait checks, references) are added as further
/// implementations and run in registration order.
/// </summary>
public interface IAdmission
{
    /// <summary>Fills in defaults. Runs before validation on create, update and apply.</summary>
    void Default(ResourceObject obj, ResourceKind kind);

    /// <summary>Returns the reasons the object cannot be stored; empty when it is valid.</summary>
    ValueTask<IReadOnlyList<StatusCause>> ValidateAsync(ResourceObject obj, ResourceObject? old, ResourceKind kind,
        CancellationToken ct);
}
