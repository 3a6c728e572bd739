using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

public class KindRegistryTests
{
    [Fact]
    public void Has_the_23_upstream_kinds_and_only_documented_additions()
    {
        string[] upstream = ["BuildPlane", "Build", "ComponentRelease", "Component", "ComponentType", "ComponentWorkflowRun", "ComponentWorkflow", "ConfigurationGroup", "DataPlane", "DeploymentPipeline", "DeploymentTrack", "Environment", "GitCommitRequest", "ObservabilityPlane", "Organization", "Project", "ReleaseBinding", "Release", "SecretReference", "Trait", "WorkflowRun", "Workflow", "Workload"];
        var all = KindRegistry.Default.All.Select(k => k.Kind).ToList();
        upstream.ShouldBeSubsetOf(all);
        KindRegistry.Default.All.ShouldAllBe(k => k.ApiVersion == "openchoreo.dev/v1alpha1");
        var extensionsDoc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "extensions.md"));
        foreach (var added in all.Except(upstream)) extensionsDoc.ShouldContain($"`{added}`", customMessage: $"{added} is not upstream: document it in docs/extensions.md");
    }

    [Fact]
    public void Extensions_merge_into_upstream_schemas_without_dropping_upstream_fields()
    {
        var spec = KindRegistry.Default.FindByKind("ReleaseBinding")!.Schema["properties"]!["spec"]!["properties"]!.AsObject();
        spec["state"]!["enum"]!.AsArray().Select(v => (string?)v).ShouldBe(["Active", "Suspend", "Undeploy"]);
        spec.ContainsKey("releaseName").ShouldBeTrue();
        spec.ContainsKey("environment").ShouldBeTrue();
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "global.json"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        return dir;
    }

    [Theory]
    [InlineData("comp", "Component")]
    [InlineData("Components", "Component")]
    [InlineData("COMPONENT", "Component")]
    [InlineData("ct", "ComponentType")]
    [InlineData("releasebindings", "ReleaseBinding")]
    [InlineData("org", "Organization")]
    [InlineData("deppipe", "DeploymentPipeline")]
    public void Resolves_singular_plural_and_short_names(string typed, string kind) =>
        KindRegistry.Default.Resolve(typed)!.Kind.ShouldBe(kind);

    [Fact]
    public void Every_kind_resolves_by_kind_singular_plural_and_short_names_in_any_case()
    {
        foreach (var k in KindRegistry.Default.All)
        {
            foreach (var name in new[] { k.Kind, k.Singular, k.Plural }.Concat(k.ShortNames))
            {
                foreach (var typed in new[] { name, name.ToUpperInvariant(), name.ToLowerInvariant() })
                {
                    KindRegistry.Default.Resolve(typed).ShouldBe(k, typed);
                }
            }
            KindRegistry.Default.FindByPlural(k.Plural).ShouldBe(k);
        }
    }

    [Fact]
    public void Cluster_scoped_kinds_are_exactly_Organization_and_ClusterIssuer() =>
        KindRegistry.Default.All.Where(k => !k.Namespaced).Select(k => k.Kind).Order().ShouldBe(["ClusterIssuer", "Organization"]);

    [Fact]
    public void Unknown_names_do_not_resolve() => KindRegistry.Default.Resolve("deployment").ShouldBeNull();
}
