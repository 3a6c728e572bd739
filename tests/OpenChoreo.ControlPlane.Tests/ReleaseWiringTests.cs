using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The control-plane host wires release delivery and the release controller (end-to-end delivery over the tunnel is
/// tested in OpenChoreo.Tunnel.Tests, next to the test control plane with enrolled agents).
/// </summary>
public sealed class ReleaseWiringTests(ControlPlaneFixture cp) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task The_host_reads_desired_releases_from_the_store_and_its_release_controller_takes_a_new_Release_in_hand()
    {
        var ct = TestContext.Current.CancellationToken;
        cp.Services.GetRequiredService<IDesiredReleases>().ShouldBeOfType<StoreDesiredReleases>();
        cp.Services.GetServices<IReconciler>().Select(r => r.Name).ShouldBe(["component", "releasebinding", "environment", "project", "release", "certificate", "issuer", "clusterissuer"], ignoreOrder: true);

        await cp.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = "DataPlane",
            ["metadata"] = new JsonObject { ["name"] = "wired", ["namespace"] = "wiring" },
            ["spec"] = new JsonObject(),
        }), ct);
        await cp.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = "Release",
            ["metadata"] = new JsonObject
            {
                ["name"] = "web-dev",
                ["namespace"] = "wiring",
                ["labels"] = new JsonObject { [Labels.DataPlane] = "wired" },
            },
            ["spec"] = new JsonObject
            {
                ["owner"] = new JsonObject { ["projectName"] = "shop", ["componentName"] = "web" },
                ["environmentName"] = "dev",
                ["resources"] = new JsonArray(),
            },
        }), ct);
        var key = new ResourceKey("Release", "wiring", "web-dev");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ResourceObject? release;
        while (true)
        {
            release = await cp.Store.GetAsync(key, ct);
            if (release?.Finalizers.Contains(ReleaseStatusNames.Finalizer) == true &&
                Conditions.Get(release, ReleaseStatusNames.Ready)?.Reason == ReleaseStatusNames.AgentDisconnected) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the release controller did not take the release: " + release?.Node.ToJsonString());
            await Task.Delay(20, ct);
        }
        Conditions.Get(release, ReleaseStatusNames.Ready)!.Status.ShouldBe(Condition.False);
    }
}

public sealed class QuietHostTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    [Fact]
    public void With_controllers_disabled_no_reconciler_runs_but_releases_are_still_delivered_from_the_store()
    {
        cp.Services.GetServices<IReconciler>().ShouldBeEmpty();
        cp.Services.GetService<LeaderElection>().ShouldBeNull();
        cp.Services.GetRequiredService<IDesiredReleases>().ShouldBeOfType<StoreDesiredReleases>();
    }
}
