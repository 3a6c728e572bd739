using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Gateway;

/// <summary>Maps plane types (the identity's path segment) to resource kinds and back.</summary>
public static class PlaneKinds
{
    public static readonly IReadOnlyDictionary<string, string> KindByType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dataplane"] = "DataPlane",
        ["buildplane"] = "BuildPlane",
        ["observabilityplane"] = "ObservabilityPlane",
    };

    public static string? TypeOfKind(string? kind) => kind switch
    {
        "DataPlane" => "dataplane",
        "BuildPlane" => "buildplane",
        "ObservabilityPlane" => "observabilityplane",
        _ => null,
    };

    public static ResourceKey KeyOf(PlaneIdentity id) => new(KindByType[id.PlaneType], id.Organization, id.PlaneName);
}
