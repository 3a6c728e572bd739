using OpenChoreo.Model;

namespace OpenChoreo.Validation;

/// <summary>Why an object's apiVersion/kind could not be resolved to a served kind.</summary>
public enum KindProblem
{
    None,

    /// <summary><c>apiVersion</c> or <c>kind</c> is missing or not a string (the API answers 400).</summary>
    Missing,

    /// <summary>The apiVersion is not one the API serves (e.g. <c>apps/v1</c>, <c>openchoreo.dev/v1</c>).</summary>
    UnknownApiVersion,

    /// <summary>The apiVersion is served but has no such kind (the API answers 404 for such a resource).</summary>
    UnknownKind,
}

/// <summary>The outcome of resolving an object's apiVersion and kind.</summary>
public sealed record KindCheck(ResourceKind? Kind, KindProblem Problem, StatusCause? Cause)
{
    public bool IsKnown => Kind is not null;
}
