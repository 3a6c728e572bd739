using System.Text.Json.Nodes;
using OpenChoreo.Agent;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The whole release chain on one real control plane with its controllers and one real agent over the mTLS tunnel:
/// occ apply of upstream samples → ComponentRelease → ReleaseBinding → Release → applied by the agent → Ready, then
/// the developer verbs and teardown. The agent's runtime is the in-memory test double (the runtime boundary).
/// </summary>
public sealed class ReleaseChainEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private static string SamplesDir => Path.Combine(Conformance.OpenChoreoDir, "samples", "from-image");

    private static async Task<JsonObject?> ConditionAsync(IResourceStore store, string kind, string ns, string name, string type) =>
        ((await store.GetAsync(new ResourceKey(kind, ns, name), Ct))?.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    private static Task WaitReadyAsync(LiveInstallation cp, string binding, string status = "True") =>
        Eventually.WaitUntilAsync(() => (string?)ConditionAsync(cp.Store, "ReleaseBinding", "default", binding, "Ready").GetAwaiter().GetResult()?["status"] == status,
            $"ReleaseBinding {binding} Ready={status}", Settle, Ct);

    [Fact]
    public async Task Samples_go_from_occ_apply_to_Ready_releases_applied_by_the_agent()
    {
        await using var cp = await LiveInstallation.StartAsync([]);
        var runtime = await cp.ConnectAgentAsync("default", "default");

        var (code, output, err) = await cp.OccAsync("apply", "-f", SamplesDir, "-R");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        output.ShouldContain("component.openchoreo.dev/greeter-service created");

        foreach (var component in new[] { "greeter-service", "github-issue-reporter", "react-starter" })
        {
            await WaitReadyAsync(cp, $"{component}-development");
            await Eventually.WaitUntilAsync(() => runtime.Releases.ContainsKey($"{component}-development"), $"the agent holds {component}-development", Settle, Ct);
        }
        var greeter = runtime.Releases["greeter-service-development"];
        greeter.Resources.Select(r => (string?)r!["kind"]).ShouldContain("Deployment");
        var release = (await cp.Store.GetAsync(new ResourceKey("Release", "default", "greeter-service-development"), Ct))!;
        release.Finalizers.ShouldContain("openchoreo.dev/dataplane-cleanup");
        var ready = await ConditionAsync(cp.Store, "Release", "default", "greeter-service-development", "Ready");
        ((string?)ready?["status"]).ShouldBe("True");

        var (statusCode, table, _) = await cp.OccAsync("status", "greeter-service");
        statusCode.ShouldBe(0);
        table.Split('\n').ShouldContain(l => l.StartsWith("development") && l.Contains("greeter-service-") && l.Contains("True"));
    }

    [Fact]
    public async Task Promote_undeploy_and_delete_reach_the_agent_and_leave_nothing_behind()
    {
        await using var cp = await LiveInstallation.StartAsync([]);
        var runtime = await cp.ConnectAgentAsync("default", "default");
        (await cp.OccAsync("apply", "-f", Path.Combine(SamplesDir, "go-greeter-service"))).Code.ShouldBe(0);
        await WaitReadyAsync(cp, "greeter-service-development");

        var (code, output, err) = await cp.OccAsync("promote", "greeter-service", "--from", "development", "--to", "staging");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await WaitReadyAsync(cp, "greeter-service-staging");
        await Eventually.WaitUntilAsync(() => runtime.Releases.ContainsKey("greeter-service-staging"), "the agent holds the staging release", Settle, Ct);
        runtime.Releases["greeter-service-staging"].Resources.ToJsonString().ShouldContain("staging");

        (await cp.OccAsync("undeploy", "greeter-service", "--env", "staging")).Code.ShouldBe(0);
        await Eventually.WaitUntilAsync(() => !runtime.Releases.ContainsKey("greeter-service-staging"), "undeploy removed the staging release from the agent", Settle, Ct);
        await Eventually.WaitUntilAsync(() => (string?)ConditionAsync(cp.Store, "ReleaseBinding", "default", "greeter-service-staging", "Ready").GetAwaiter().GetResult()?["reason"] == "Undeployed",
            "the staging binding says Undeployed", Settle, Ct);
        runtime.Releases.ShouldContainKey("greeter-service-development");

        (await cp.OccAsync("delete", "component", "greeter-service")).Code.ShouldBe(0);
        await Eventually.WaitUntilAsync(() => runtime.Releases.Count == 0, "deleting the component removed its releases from the agent", Settle, Ct);
        await Eventually.WaitUntilAsync(async () =>
        {
            foreach (var kind in new[] { "Release", "ReleaseBinding", "ComponentRelease", "Component" })
                if ((await cp.Store.ListAsync(new ListOptions(kind, "default"), Ct)).Items.Any(o => o.Name.StartsWith("greeter-service", StringComparison.Ordinal))) return false;
            return true;
        }, "no greeter-service objects are left", Settle, Ct);
    }

    [Theory]
    [InlineData("Project", "default")]
    [InlineData("Environment", "development")]
    [InlineData("DataPlane", "default")]
    [InlineData("Organization", "")]
    public async Task Every_teardown_order_terminates_with_nothing_left_on_the_agent(string kind, string name)
    {
        await using var cp = await LiveInstallation.StartAsync([]);
        var runtime = await cp.ConnectAgentAsync("default", "default");
        (await cp.OccAsync("apply", "-f", Path.Combine(SamplesDir, "go-greeter-service"))).Code.ShouldBe(0);
        await Eventually.WaitUntilAsync(() => runtime.Releases.ContainsKey("greeter-service-development"), "the release is on the agent", Settle, Ct);

        var key = kind == "Organization" ? new ResourceKey(kind, "", "default") : new ResourceKey(kind, "default", name);
        await cp.Store.DeleteAsync(key, ct: Ct);

        await Eventually.WaitUntilAsync(async () => await cp.Store.GetAsync(key, Ct) is null, $"{kind} deletion finished", Settle, Ct);
        // A deleted DataPlane (also when its organization goes) cuts its agent off: the agent decommissions itself.
        await Eventually.WaitUntilAsync(() => runtime.Releases.Count == 0, "nothing is left on the agent", Settle, Ct);
        if (kind == "DataPlane")
        {
            // The Release stays in the control plane, not Ready for want of its plane: re-creating the plane delivers it again.
            await Eventually.WaitUntilAsync(async () => (string?)(await ConditionAsync(cp.Store, "Release", "default", "greeter-service-development", "Ready"))?["reason"] == "DataPlaneNotFound",
                "the Release says DataPlaneNotFound", Settle, Ct);
            cp.Agents[0].Decommissioned.ShouldBeTrue();
        }
        else
        {
            await Eventually.WaitUntilAsync(async () => (await cp.Store.ListAsync(new ListOptions("Release", "default"), Ct)).Items.Count == 0, "no Release is left", Settle, Ct);
        }
    }
}
