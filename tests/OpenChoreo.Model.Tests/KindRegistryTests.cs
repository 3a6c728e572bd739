using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

public class KindRegistryTests
{
    [Fact]
    public void Has_the_23_upstream_kinds()
    {
        KindRegistry.Default.All.Count.ShouldBe(23);
        KindRegistry.Default.All.ShouldAllBe(k => k.ApiVersion == "openchoreo.dev/v1alpha1");
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
    public void Organization_is_the_only_cluster_scoped_kind() =>
        KindRegistry.Default.All.Where(k => !k.Namespaced).Select(k => k.Kind).ShouldBe(["Organization"]);

    [Fact]
    public void Unknown_names_do_not_resolve() => KindRegistry.Default.Resolve("deployment").ShouldBeNull();
}
