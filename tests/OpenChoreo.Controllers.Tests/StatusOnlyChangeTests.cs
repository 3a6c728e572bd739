using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.Controllers.Tests;

/// <summary>
/// The Project controller (sole writer of Project status) and the Project watches of the Component and ReleaseBinding
/// controllers drop status-only Project events; spec changes still reach them.
/// </summary>
public sealed class StatusOnlyChangeTests : ChainTestBase
{
    [Fact]
    public async Task A_projects_own_status_write_does_not_wake_its_controllers_but_a_spec_change_does()
    {
        SkippedStatusOnly("project").ShouldBe(0); // starts the metrics listener before anything happens
        await Apply("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: shop, namespace: default}
            spec: {deploymentPipelineRef: default}
            """);
        await WaitForCondition("Project", "shop", "Ready", Condition.True, "Ready");
        await Eventually.WaitUntilAsync(() => SkippedStatusOnly("project") >= 1, "the Project controller skipped its own status write", Timeout, Ct);
        await Eventually.WaitUntilAsync(() => SkippedStatusOnly("component") >= 1 && SkippedStatusOnly("releasebinding") >= 1,
            "the Component and ReleaseBinding controllers skipped the status-only Project event", Timeout, Ct);

        // A status-only write by someone else is dropped as well (the periodic resync is what repairs it).
        var skipped = SkippedStatusOnly("project");
        var project = Get("Project", "shop")!;
        Conditions.Set(project, new Condition("Reviewed", Condition.True, "Reviewed", "by hand"), DateTimeOffset.UtcNow);
        await Store.UpdateAsync(project, UpdateScope.Status, Ct);
        await Eventually.WaitUntilAsync(() => SkippedStatusOnly("project") > skipped, "the external status write is skipped", Timeout, Ct);

        // A spec change is not status-only: the controller sees the missing pipeline.
        await Edit("Project", "shop", p => p.Node["spec"]!["deploymentPipelineRef"] = "missing");
        await WaitForCondition("Project", "shop", "Ready", Condition.False, "DeploymentPipelineNotFound");
    }
}
