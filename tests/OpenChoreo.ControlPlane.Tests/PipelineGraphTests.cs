using OpenChoreo.Api.Tasks;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

public sealed class PipelineGraphTests
{
    private static PipelineGraph Graph(string pathsJson) => PipelineGraph.From(ResourceObject.Parse(
        """{"apiVersion":"openchoreo.dev/v1alpha1","kind":"DeploymentPipeline","metadata":{"name":"p"},"spec":{"promotionPaths":""" + pathsJson + "}}"));

    [Fact]
    public void Root_is_the_first_source_that_is_never_a_target_and_order_follows_the_edges()
    {
        // Paths listed out of order: the root is still dev, and rows read dev → qa → prod.
        var g = Graph("""
            [{"sourceEnvironmentRef":"qa","targetEnvironmentRefs":[{"name":"prod","isManualApprovalRequired":true}]},
             {"sourceEnvironmentRef":"dev","targetEnvironmentRefs":[{"name":"qa"},{"name":"sandbox","requiresApproval":false}]}]
            """);
        g.Root.ShouldBe("dev");
        g.Environments.ShouldBe(["dev", "qa", "sandbox", "prod"]);
        g.FindEdge("qa", "prod")!.RequiresApproval.ShouldBeTrue();
        g.FindEdge("dev", "qa")!.RequiresApproval.ShouldBeFalse();
        g.FindEdge("dev", "prod").ShouldBeNull();
        g.IsGated("prod").ShouldBeTrue();
        g.IsGated("sandbox").ShouldBeFalse();
        g.TargetsOf("dev").ShouldBe(["qa", "sandbox"]);
    }

    [Fact]
    public void A_pipeline_without_paths_has_no_root()
    {
        var g = Graph("[]");
        g.Root.ShouldBeNull();
        g.Environments.ShouldBeEmpty();
    }
}
