using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Testing;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers.Tests;

/// <summary>Deleting an Environment or a Project finishes and leaves no binding, release or component behind.</summary>
public sealed class TeardownTests : ChainTestBase
{
    private const string Binding = "greeter-service-development";
    private const string Release = "greeter-service-development";

    private async Task<string> DeployGreeter()
    {
        await ApplySample("samples/from-image/go-greeter-service/greeter-service.yaml");
        await WaitForSynced(Binding);
        await Delivery.AdoptAsync(Release, Ct);
        return (string)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]!;
    }

    [Fact]
    public async Task Deleting_an_environment_removes_its_bindings_and_waits_for_their_releases()
    {
        await DeployGreeter();
        await WaitFor("Environment", "development", e => e.Finalizers.Contains(EnvironmentReconciler.Finalizer), "the cleanup finalizer is on");
        await WaitForCondition("Environment", "development", "Ready", Condition.True, "Ready");
        await Store.DeleteAsync(new ResourceKey("Environment", "default", "development"), ct: Ct);

        await WaitGone("ReleaseBinding", Binding);
        await WaitFor("Release", Release, r => r.DeletionTimestamp is not null, "the Release is being removed from the plane");
        // The plane has not confirmed: the Environment waits.
        Get("Environment", "development")!.DeletionTimestamp.ShouldNotBeNull();

        await Delivery.FinishCleanupAsync(Release, Ct);
        await WaitGone("Release", Release);
        await WaitGone("Environment", "development");
        // Other environments and the component are untouched.
        Get("Environment", "staging").ShouldNotBeNull();
        Get("Component", "greeter-service").ShouldNotBeNull();
    }

    [Fact]
    public async Task Deleting_a_project_removes_its_components_and_everything_they_deployed()
    {
        var cr = await DeployGreeter();
        await WaitFor("Project", "default", p => p.Finalizers.Contains(ProjectReconciler.Finalizer), "the cleanup finalizer is on");
        await WaitForCondition("Project", "default", "Ready", Condition.True, "Ready");
        await Store.DeleteAsync(new ResourceKey("Project", "default", "default"), ct: Ct);

        await WaitGone("Component", "greeter-service");
        await WaitGone("Workload", "greeter-service-workload");
        await WaitGone("ComponentRelease", cr);
        await WaitGone("ReleaseBinding", Binding);
        await WaitFor("Release", Release, r => r.DeletionTimestamp is not null, "the Release is being removed from the plane");
        Get("Project", "default")!.DeletionTimestamp.ShouldNotBeNull();

        await Delivery.FinishCleanupAsync(Release, Ct);
        await WaitGone("Release", Release);
        await WaitGone("Project", "default");
        Get("Environment", "development").ShouldNotBeNull(); // organization-level objects stay
        Get("SecretReference", "github-credentials").ShouldNotBeNull();
    }

    [Fact]
    public async Task Deleting_the_organization_empties_its_namespace()
    {
        await DeployGreeter();
        await WaitFor("Environment", "development", e => e.Finalizers.Contains(EnvironmentReconciler.Finalizer), "the cleanup finalizer is on");
        await WaitFor("Project", "default", p => p.Finalizers.Contains(ProjectReconciler.Finalizer), "the cleanup finalizer is on");
        // The collector deletes everything in the namespace at once, in no particular order.
        await Store.DeleteAsync(new ResourceKey("Organization", "", "default"), ct: Ct);
        await WaitFor("Release", Release, r => r.DeletionTimestamp is not null, "the Release is being removed from the plane");
        await Delivery.FinishCleanupAsync(Release, Ct);
        IReadOnlyList<ResourceObject> left = [];
        try
        {
            await Eventually.WaitUntilAsync(() =>
                (left = Store.ListAsync(new ListOptions(ListOptions.AllKinds, "default"), Ct).GetAwaiter().GetResult().Items).Count == 0,
                "the namespace is empty", Timeout, Ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Left: {string.Join(", ", left.Select(o => o.ToString()))}", e);
        }
    }

    [Fact]
    public async Task A_project_with_a_missing_pipeline_is_not_ready()
    {
        await Apply("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: lost, namespace: default}
            spec: {deploymentPipelineRef: nowhere}
            """);
        (await WaitForCondition("Project", "lost", "Ready", Condition.False, "DeploymentPipelineNotFound"))
            .Message.ShouldBe("DeploymentPipeline \"nowhere\" not found in namespace \"default\"");
        // An empty project deletes at once (its finalizer has nothing to wait for).
        await Store.DeleteAsync(new ResourceKey("Project", "default", "lost"), ct: Ct);
        await WaitGone("Project", "lost");
    }
}
