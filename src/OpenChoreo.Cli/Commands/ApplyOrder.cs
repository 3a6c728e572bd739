namespace OpenChoreo.Cli.Commands;

/// <summary>
/// The order <c>occ apply</c> sends documents in, so that what a document refers to exists before it arrives
/// (admission refuses a Component whose ComponentType or Traits do not exist): organizations (the namespaces), planes,
/// environments, pipelines, platform types, secrets and configuration, issuers, projects, components, workloads, then
/// everything else. Like <c>helm</c>'s install order: by kind rank, unknown kinds last, the given order within a rank.
/// </summary>
public static class ApplyOrder
{
    private static readonly string[][] Ranks =
    [
        ["Organization"],
        ["Namespace"],
        ["DataPlane", "BuildPlane", "ObservabilityPlane"],
        ["Environment"],
        ["DeploymentPipeline"],
        ["ComponentType", "Trait", "Workflow", "ComponentWorkflow"],
        ["SecretReference", "Secret", "ConfigurationGroup"],
        ["ClusterIssuer", "Issuer"], // may name a Secret (e.g. a TSIG key); Certificates come after, with the rest
        ["Project"],
        ["Component"],
        ["Workload"],
        ["ReleaseBinding"],
    ];

    private static readonly Dictionary<string, int> RankOf = Ranks
        .SelectMany((kinds, rank) => kinds.Select(k => (k, rank)))
        .ToDictionary(x => x.k, x => x.rank, StringComparer.Ordinal);

    /// <summary>The rank of a kind; kinds not listed come after all listed ones.</summary>
    public static int Rank(string? kind) => kind is not null && RankOf.TryGetValue(kind, out var r) ? r : Ranks.Length;

    /// <summary>A stable sort of the manifests by the rank of their kind.</summary>
    public static IReadOnlyList<Manifest> Sort(IEnumerable<Manifest> manifests) =>
        manifests.OrderBy(m => Rank(m.Object.Kind)).ToList(); // OrderBy is stable
}
