using OpenChoreo.Model;
using OpenChoreo.Testing;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers.Tests;

/// <summary>ReleaseBinding.spec.state (Active / Suspend / Undeploy) and ResourcesReady from the delivered health.</summary>
public sealed class ReleaseBindingStateTests : ChainTestBase
{
    private const string Binding = "greeter-service-development";
    private const string Release = "greeter-service-development";

    private async Task DeployGreeter()
    {
        await ApplySample("samples/from-image/go-greeter-service/greeter-service.yaml");
        await WaitForSynced(Binding);
        await Delivery.AdoptAsync(Release, Ct);
    }

    private static long Replicas(ResourceObject release) => (long)ResourceOf(release, "Deployment")["spec"]!["replicas"]!;

    private Task SetState(string? state) => Edit("ReleaseBinding", Binding, b =>
    {
        if (state is null) b.Spec!.AsObject().Remove("state");
        else b.Spec!["state"] = state;
    });

    [Fact]
    public async Task Resources_ready_follows_the_health_the_delivery_side_reports()
    {
        await DeployGreeter();
        await Delivery.ReportAsync(Release, new Dictionary<string, string> { ["Deployment"] = "Progressing" }, Ct, readyReason: "Progressing", readyStatus: Condition.False);
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.False, R.ResourcesProgressing,
            m => m.StartsWith("Deployment greeter-service-development-", StringComparison.Ordinal) && m.EndsWith(" is progressing", StringComparison.Ordinal));
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.ResourcesProgressing);

        await Delivery.ReportAsync(Release, new Dictionary<string, string>(), Ct);
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.True, R.ResourcesReady);
        var ready = await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.True, R.Ready);
        ready.Message.ShouldStartWith("ready in development");

        await Delivery.ReportAsync(Release, new Dictionary<string, string> { ["Deployment"] = "Degraded" }, Ct, readyReason: "Progressing", readyStatus: Condition.False);
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.False, R.ResourcesDegraded);
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.ResourcesDegraded);

        // A degraded secondary resource fails the binding too; a lost agent makes the reported health stale.
        await Delivery.ReportAsync(Release, new Dictionary<string, string> { ["Service"] = "Degraded" }, Ct);
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.False, R.ResourcesDegraded, m => m == "Service greeter-service is degraded");
        await Delivery.ReportAsync(Release, new Dictionary<string, string>(), Ct, readyReason: "AgentDisconnected", readyStatus: Condition.False);
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.False, "AgentDisconnected");
        (await WaitForCondition("ReleaseBinding", Binding, R.ReleaseSynced, Condition.True, R.ReleaseSynced)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_settled_binding_writes_nothing_when_woken_again()
    {
        await DeployGreeter();
        await Delivery.ReportAsync(Release, new Dictionary<string, string>(), Ct);
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.True, R.Ready);
        var before = Reconciles("releasebinding");
        var (binding, release) = (Get("ReleaseBinding", Binding)!, Get("Release", Release)!);
        // Every binding of the organization re-renders when a SecretReference changes.
        await Edit("SecretReference", "github-credentials", s => s.SetAnnotation("touched", "1"));
        await Eventually.WaitUntilAsync(() => Reconciles("releasebinding") > before, "the binding is reconciled again", Timeout, Ct);
        Get("ReleaseBinding", Binding)!.ResourceVersion.ShouldBe(binding.ResourceVersion);
        Get("Release", Release)!.ResourceVersion.ShouldBe(release.ResourceVersion);
    }

    [Fact]
    public async Task Suspend_scales_to_zero_undeploy_removes_the_release_and_active_brings_it_back()
    {
        await DeployGreeter();
        Replicas(Get("Release", Release)!).ShouldBe(1);
        await Delivery.ReportAsync(Release, new Dictionary<string, string>(), Ct);
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.True, R.Ready);

        // Suspend: still delivered, zero replicas; not ready until the plane reports on the new generation.
        await SetState(ReleaseStates.Suspend);
        var suspended = await WaitFor("Release", Release, r => Replicas(r) == 0, "the Deployment is scaled to zero");
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.ResourcesProgressing);
        await Delivery.ReportAsync(Release, new Dictionary<string, string> { ["Deployment"] = "Suspended" }, Ct);
        (await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.True, R.Suspended)).Message.ShouldStartWith("suspended in development");
        Conditions.Get(Get("ReleaseBinding", Binding)!, R.ResourcesReady)!.Reason.ShouldBe(R.ReadyWithSuspendedResources);
        Get("Release", Release)!.Uid.ShouldBe(suspended.Uid);

        // Undeploy: the Release is deleted; the delivery side's finalizer holds it until the plane is clean.
        await SetState(ReleaseStates.Undeploy);
        await WaitFor("Release", Release, r => r.DeletionTimestamp is not null, "the Release is being deleted");
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.Undeployed);
        await WaitForCondition("ReleaseBinding", Binding, R.ReleaseSynced, Condition.False, R.Undeployed);

        // Active again while the old Release is still leaving: the binding waits for it, then makes a new one.
        await SetState(null);
        await WaitForCondition("ReleaseBinding", Binding, R.ReleaseSynced, Condition.False, R.ReleaseDeleting);
        await Delivery.FinishCleanupAsync(Release, Ct);
        var back = await WaitFor("Release", Release, r => r.Uid != suspended.Uid && r.DeletionTimestamp is null, "a new Release");
        Replicas(back).ShouldBe(1);
        await WaitForSynced(Binding);

        // Undeploy of a Release nobody else holds: gone at once.
        await SetState(ReleaseStates.Undeploy);
        await WaitGone("Release", Release);
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.Undeployed, m => m == "undeployed: no Release exists");
    }
}
