namespace OpenChoreo.Model;

/// <summary>
/// The plane a Release is delivered to, read from its plane label: <see cref="Labels.DataPlane"/> (a DataPlane) or
/// <see cref="Labels.ObservabilityPlane"/> (an ObservabilityPlane). Type is the agent identity's plane type.
/// </summary>
public sealed record ReleasePlane(string Type, string Kind, string Name)
{
    public const string DataPlaneType = "dataplane";
    public const string ObservabilityPlaneType = "observabilityplane";

    /// <summary>The plane types that run Releases.</summary>
    public static bool Delivers(string planeType) => planeType is DataPlaneType or ObservabilityPlaneType;

    /// <summary>The Release label naming a plane of this type; null for plane types that run no Releases.</summary>
    public static string? LabelOf(string planeType) => planeType switch
    {
        DataPlaneType => Labels.DataPlane,
        ObservabilityPlaneType => Labels.ObservabilityPlane,
        _ => null,
    };

    /// <summary>The Release's plane; the data-plane label wins if both are present. Null when neither is set.</summary>
    public static ReleasePlane? Of(ResourceObject release) =>
        release.Labels.TryGetValue(Labels.DataPlane, out var dp) ? new(DataPlaneType, "DataPlane", dp)
        : release.Labels.TryGetValue(Labels.ObservabilityPlane, out var op) ? new(ObservabilityPlaneType, "ObservabilityPlane", op)
        : null;

    /// <summary>True when the Release is labelled for this plane (by the label of its type).</summary>
    public static bool Targets(ResourceObject release, string planeType, string planeName) =>
        Of(release) is { } p && p.Type == planeType && p.Name == planeName;
}
