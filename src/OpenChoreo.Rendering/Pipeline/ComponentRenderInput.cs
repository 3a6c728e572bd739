using System.Text.Json.Nodes;

namespace OpenChoreo.Rendering.Pipeline;

/// <summary>
/// Everything one render needs, as plain snapshots (specs, not live objects), so controllers can feed it from a
/// ComponentRelease and the CLI from local files. Nothing here is modified by rendering.
/// </summary>
public sealed record ComponentRenderInput
{
    /// <summary>The organization (= control-plane namespace).</summary>
    public required string Organization { get; init; }

    public required string ProjectName { get; init; }

    public required string ComponentName { get; init; }

    /// <summary><c>ComponentType.spec</c>.</summary>
    public required JsonObject ComponentTypeSpec { get; init; }

    /// <summary><c>Trait.spec</c> by trait name, for every trait the Component uses.</summary>
    public IReadOnlyDictionary<string, JsonObject> TraitSpecs { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary><c>Component.spec</c> (parameters, traits[]).</summary>
    public required JsonObject ComponentSpec { get; init; }

    /// <summary><c>Workload.spec</c> (containers, endpoints, connections); null renders with no containers.</summary>
    public JsonObject? WorkloadSpec { get; init; }

    /// <summary><c>ReleaseBinding.spec</c> (componentTypeEnvOverrides, traitOverrides, workloadOverrides), if any.</summary>
    public JsonObject? ReleaseBindingSpec { get; init; }

    /// <summary>SecretReference objects of the organization (full objects: their names matter).</summary>
    public IReadOnlyList<JsonObject> SecretReferences { get; init; } = [];

    public required EnvironmentInfo Environment { get; init; }

    public required DataPlaneInfo DataPlane { get; init; }

    public string ComponentUid { get; init; } = "";

    public string ProjectUid { get; init; } = "";

    /// <summary>Annotations exposed as <c>metadata.annotations</c>.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>The target environment: its name, uid and (optionally) spec, exposed as <c>environment</c>.</summary>
public sealed record EnvironmentInfo(string Name, string Uid = "", JsonObject? Spec = null);

/// <summary>The environment's data plane: what templates see as <c>dataplane</c>.</summary>
public sealed record DataPlaneInfo(string Name, string Uid = "", string PublicVirtualHost = "", string SecretStore = "")
{
    /// <summary>The observability plane linked to this data plane, if any (receives <c>observabilityplane</c> resources).</summary>
    public string? ObservabilityPlaneName { get; init; }
}
