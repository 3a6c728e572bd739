using OpenChoreo.Model;
using OpenChoreo.Validation;

namespace OpenChoreo.Api.Resources;

/// <summary>Defaulting and validation from the CRD schemas, including their CEL rules (immutability and others).</summary>
public sealed class SchemaAdmission(ObjectValidator validator) : IAdmission
{
    public void Default(ResourceObject obj, ResourceKind kind) => validator.Default(obj);

    public ValueTask<IReadOnlyList<StatusCause>> ValidateAsync(ResourceObject obj, ResourceObject? old, ResourceKind kind, CancellationToken ct) =>
        ValueTask.FromResult(old is null ? validator.ValidateCreate(obj) : validator.ValidateUpdate(obj, old));
}
