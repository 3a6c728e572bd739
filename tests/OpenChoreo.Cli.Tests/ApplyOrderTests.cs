using System.Text.Json.Nodes;
using OpenChoreo.Cli.Commands;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Tests;

/// <summary>The order <c>occ apply</c> sends documents in.</summary>
public class ApplyOrderTests
{
    private static Manifest M(string kind, string name) => new($"{kind}/{name}.yaml", new ResourceObject(new JsonObject
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name },
    }));

    [Fact]
    public void Kinds_others_depend_on_go_first_and_each_kind_keeps_its_given_order()
    {
        var given = new[]
        {
            M("ReleaseBinding", "rb"), M("Certificate", "cert"), M("Workload", "w"), M("Component", "c2"),
            M("Component", "c1"), M("Project", "p"), M("ConfigurationGroup", "cg"), M("SecretReference", "sr"),
            M("ComponentWorkflow", "cw"), M("Trait", "t"), M("ComponentType", "ct2"), M("ComponentType", "ct1"),
            M("DeploymentPipeline", "dp"), M("Environment", "env"), M("ObservabilityPlane", "op"), M("DataPlane", "plane"),
            M("Organization", "org"),
        };
        ApplyOrder.Sort(given).Select(m => $"{m.Object.Kind}/{m.Object.Name}").ShouldBe([
            "Organization/org", "ObservabilityPlane/op", "DataPlane/plane", "Environment/env", "DeploymentPipeline/dp",
            "ComponentWorkflow/cw", "Trait/t", "ComponentType/ct2", "ComponentType/ct1", "ConfigurationGroup/cg",
            "SecretReference/sr", "Project/p", "Component/c2", "Component/c1", "Workload/w", "ReleaseBinding/rb",
            "Certificate/cert",
        ]);
    }

    [Fact]
    public void Unknown_and_missing_kinds_go_last_in_their_given_order()
    {
        var given = new[] { M("Mystery", "a"), M("", "b"), M("Component", "c"), M("Mystery", "d") };
        ApplyOrder.Sort(given).Select(m => m.Object.Name).ShouldBe(["c", "a", "b", "d"]);
        ApplyOrder.Rank("Organization").ShouldBe(0);
        ApplyOrder.Rank("Mystery").ShouldBe(ApplyOrder.Rank(null));
        ApplyOrder.Rank("ReleaseBinding").ShouldBeLessThan(ApplyOrder.Rank("Mystery"));
    }
}
