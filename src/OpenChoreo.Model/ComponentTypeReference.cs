namespace OpenChoreo.Model;

/// <summary>
/// A Component's <c>spec.componentType</c>, <c>workloadType/name</c>: the ComponentType <c>name</c> in the Component's
/// own namespace, whose <c>spec.workloadType</c> must be <c>workloadType</c>. Shared by API admission and the
/// Component controller so both read a reference the same way.
/// </summary>
public readonly record struct ComponentTypeReference(string WorkloadType, string Name)
{
    /// <summary>Splits at the first '/'; null when either side is empty or there is no '/'.</summary>
    public static ComponentTypeReference? Parse(string? value)
    {
        if (value is null) return null;
        var slash = value.IndexOf('/');
        return slash <= 0 || slash == value.Length - 1 ? null : new ComponentTypeReference(value[..slash], value[(slash + 1)..]);
    }

    public override string ToString() => $"{WorkloadType}/{Name}";
}
