using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;
using OpenChoreo.Store;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers.Tests;

public sealed class ReleaseBindingReconcilerTests : ChainTestBase
{
    private const string Greeter = "samples/from-image/go-greeter-service/greeter-service.yaml";
    private const string Binding = "greeter-service-development";
    private const string Release = "greeter-service-development";

    private static readonly Dictionary<string, string> AllHealthy = [];

    private static string ManualBinding(string name, string component, string env, string releaseName) => $$"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: ReleaseBinding
        metadata: {name: {{name}}, namespace: default}
        spec:
          owner: {projectName: default, componentName: {{component}}}
          environment: {{env}}
          releaseName: {{releaseName}}
        """;

    /// <summary>The greeter sample deployed to development, its Release created; returns the Release.</summary>
    private async Task<ResourceObject> DeployGreeter()
    {
        await ApplySample(Greeter);
        await WaitForSynced(Binding);
        return Get("Release", Release)!;
    }

    [Fact]
    public async Task The_upstream_sample_goes_from_component_to_a_release_equal_to_the_golden_render()
    {
        var release = await DeployGreeter();
        var binding = Get("ReleaseBinding", Binding)!;
        // The component names its release in the binding before it records it in its own status.
        var component = await WaitFor("Component", "greeter-service", c => c.Status?["latestRelease"]?["name"] is not null, "records its latest release");
        var cr = (string)component.Status!["latestRelease"]!["name"]!;
        ((string?)binding.Spec!["releaseName"]).ShouldBe(cr);

        var owner = release.OwnerReferences.Single();
        (owner.Kind, owner.Name, owner.Uid, owner.Controller).ShouldBe(("ReleaseBinding", Binding, binding.Uid, true));
        release.Labels[Labels.Organization].ShouldBe("default");
        release.Labels[Labels.Project].ShouldBe("default");
        release.Labels[Labels.Component].ShouldBe("greeter-service");
        release.Labels[Labels.Environment].ShouldBe("development");
        release.Labels[Labels.DataPlane].ShouldBe("default");
        release.Spec!["owner"]!.ToJsonString().ShouldBe("""{"projectName":"default","componentName":"greeter-service"}""");
        ((string?)release.Spec!["environmentName"]).ShouldBe("development");

        // The same manifests the offline renderer produces for the sample (its golden file), with the real uids.
        var resources = AssertMatchesGolden(release, "from-image/greeter-service.yaml", "greeter-service", "development");
        ((string?)resources.Single(r => (string?)r["object"]!["kind"] == "Service")["id"]).ShouldBe("service-greeter-service");

        // Nothing reported yet: synced, but resources not ready.
        await WaitForCondition("ReleaseBinding", Binding, R.ResourcesReady, Condition.False, R.ResourcesProgressing);
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.ResourcesProgressing);
    }

    [Fact]
    public async Task The_scheduled_task_sample_renders_its_binding_overrides_and_suspends_its_cron_job()
    {
        // The sample's own binding (overrides, no releaseName) goes first; auto-deploy then points it at the release.
        var sample = Samples.Read("samples/from-image/issue-reporter-schedule-task/github-issue-reporter.yaml");
        foreach (var o in sample.OrderBy(o => o.Kind == "ReleaseBinding" ? 0 : 1)) await Store.CreateAsync(o, Ct);
        const string name = "github-issue-reporter-development";
        await WaitForSynced(name);
        var release = Get("Release", name)!;
        AssertMatchesGolden(release, "from-image/github-issue-reporter.yaml", "github-issue-reporter", "development");
        ((string?)ResourceOf(release, "CronJob")["spec"]!["schedule"]).ShouldBe("*/5 * * * *");

        await Delivery.ReportAsync(name, new Dictionary<string, string>(), Ct);
        await WaitForCondition("ReleaseBinding", name, R.ResourcesReady, Condition.True, R.CronJobScheduled);
        await Edit("ReleaseBinding", name, b => b.Spec!["state"] = ReleaseStates.Suspend);
        await WaitFor("Release", name, r => (bool?)ResourceOf(r, "CronJob")["spec"]!["suspend"] == true, "the CronJob is suspended");
        await Delivery.ReportAsync(name, new Dictionary<string, string> { ["CronJob"] = "Suspended" }, Ct);
        await WaitForCondition("ReleaseBinding", name, R.ResourcesReady, Condition.True, R.CronJobSuspended);
        await WaitForCondition("ReleaseBinding", name, R.Ready, Condition.True, R.Suspended);
    }

    /// <summary>The Release's resources equal the rendering golden file (placeholder uids replaced by the real ones).</summary>
    private List<JsonObject> AssertMatchesGolden(ResourceObject release, string golden, string component, string env)
    {
        var text = Samples.GoldenText(golden)
            .Replace(OfflineRender.PlaceholderUid("Component", "default", component), Get("Component", component)!.Uid, StringComparison.Ordinal)
            .Replace(OfflineRender.PlaceholderUid("Project", "default", "default"), Get("Project", "default")!.Uid, StringComparison.Ordinal)
            .Replace(OfflineRender.PlaceholderUid("Environment", "default", env), Get("Environment", env)!.Uid, StringComparison.Ordinal);
        var expected = YamlCodec.ReadAll(text).Select(ReleaseHash.Canonical).ToList();
        var resources = ((JsonArray)release.Spec!["resources"]!).Select(r => r!.AsObject()).ToList();
        resources.Select(r => ReleaseHash.Canonical(r["object"])).ShouldBe(expected);
        resources.Select(r => (string?)r["id"]).ShouldAllBe(id => id!.Length > 0 && id.Length <= 63);
        return resources;
    }

    [Fact]
    public async Task A_binding_renders_from_its_snapshot_after_the_live_component_type_changes()
    {
        await DeployGreeter();
        var firstCr = (string)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]!;
        // Stop auto-deploy, so the binding stays on the first snapshot; then the platform engineer edits the type.
        await Edit("Component", "greeter-service", c => c.Spec!["autoDeploy"] = false);
        await Edit("ComponentType", "service", ct =>
            ct.Spec!["schema"]!["parameters"]!["imagePullPolicy"] = "string | default=Always");
        var newCr = (await WaitFor("Component", "greeter-service",
            c => (string?)c.Status?["latestRelease"]?["name"] != firstCr, "a new ComponentRelease from the edited type")).Status!["latestRelease"]!["name"]!.GetValue<string>();

        // An override change re-renders the binding: from the old snapshot.
        await Edit("ReleaseBinding", Binding, b => b.Spec!["componentTypeEnvOverrides"] = new JsonObject
        {
            ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "900m" } },
        });
        var release = await WaitFor("Release", Release, r =>
            (string?)ResourceOf(r, "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"] == "900m",
            "the override reaches the Deployment");
        ((string?)ResourceOf(release, "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]).ShouldBe("IfNotPresent");
        ((string?)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]).ShouldBe(firstCr);

        // Control: a binding to the new snapshot does see the edit.
        await Apply(ManualBinding("greeter-service-staging", "greeter-service", "staging", newCr));
        var staging = await WaitFor("Release", "greeter-service-staging", _ => true, "the staging Release exists");
        ((string?)ResourceOf(staging, "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]).ShouldBe("Always");
    }

    [Fact]
    public async Task A_missing_environment_is_reported_and_no_release_is_made()
    {
        await DeployGreeter();
        var cr = (string)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]!;
        await Apply(ManualBinding("greeter-service-nowhere", "greeter-service", "nowhere", cr));
        var c = await WaitForCondition("ReleaseBinding", "greeter-service-nowhere", R.ReleaseSynced, Condition.False, R.EnvironmentNotFound);
        c.Message.ShouldBe("Environment \"nowhere\" not found in namespace \"default\"");
        var ready = Conditions.Get(Get("ReleaseBinding", "greeter-service-nowhere")!, R.Ready)!;
        (ready.Status, ready.Reason).ShouldBe((Condition.False, R.EnvironmentNotFound));
        Get("Release", "greeter-service-nowhere").ShouldBeNull();
    }

    [Fact]
    public async Task A_missing_component_release_is_reported_and_no_release_is_made()
    {
        await ApplySample(Greeter);
        await Apply(ManualBinding("greeter-service-staging", "greeter-service", "staging", "greeter-service-doesnotexist"));
        var c = await WaitForCondition("ReleaseBinding", "greeter-service-staging", R.ReleaseSynced, Condition.False, R.ComponentReleaseNotFound);
        c.Message.ShouldBe("ComponentRelease \"greeter-service-doesnotexist\" not found in namespace \"default\"");
        (await WaitForCondition("ReleaseBinding", "greeter-service-staging", R.Ready, Condition.False, R.ComponentReleaseNotFound)).ShouldNotBeNull();
        Get("Release", "greeter-service-staging").ShouldBeNull();
    }

    [Fact]
    public async Task Another_components_release_or_a_missing_component_is_reported_and_no_release_is_made()
    {
        await DeployGreeter();
        var cr = Get("ComponentRelease", (string)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]!)!;
        await Apply(ManualBinding("other-development", "other", "development", cr.Name));
        (await WaitForCondition("ReleaseBinding", "other-development", R.ReleaseSynced, Condition.False, R.ComponentReleaseMismatch))
            .Message.ShouldBe($"ComponentRelease \"{cr.Name}\" belongs to component \"greeter-service\", not \"other\"");
        Get("Release", "other-development").ShouldBeNull();

        // A release of a component that no longer exists (left behind by hand, not owned).
        var orphan = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "ComponentRelease",
            ["metadata"] = new JsonObject { ["name"] = "ghost-1", ["namespace"] = "default" },
            ["spec"] = cr.Spec!.DeepClone(),
        });
        orphan.Spec!["owner"]!["componentName"] = "ghost";
        await Store.CreateAsync(orphan, Ct);
        await Apply(ManualBinding("ghost-development", "ghost", "development", "ghost-1"));
        (await WaitForCondition("ReleaseBinding", "ghost-development", R.ReleaseSynced, Condition.False, R.ComponentNotFound))
            .Message.ShouldBe("Component \"ghost\" not found in namespace \"default\"");
        Get("Release", "ghost-development").ShouldBeNull();
    }

    [Fact]
    public async Task A_missing_or_unset_data_plane_is_reported_and_no_release_is_made()
    {
        await DeployGreeter();
        var cr = (string)Get("ReleaseBinding", Binding)!.Spec!["releaseName"]!;
        await Apply("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Environment
            metadata: {name: ghost-env, namespace: default}
            spec: {dataPlaneRef: ghost}
            """);
        await Apply("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Environment
            metadata: {name: bare-env, namespace: default}
            spec: {isProduction: false}
            """);
        await Apply(ManualBinding("greeter-service-ghost-env", "greeter-service", "ghost-env", cr));
        await Apply(ManualBinding("greeter-service-bare-env", "greeter-service", "bare-env", cr));
        (await WaitForCondition("ReleaseBinding", "greeter-service-ghost-env", R.ReleaseSynced, Condition.False, R.DataPlaneNotFound))
            .Message.ShouldBe("DataPlane \"ghost\" of Environment \"ghost-env\" not found in namespace \"default\"");
        (await WaitForCondition("ReleaseBinding", "greeter-service-bare-env", R.ReleaseSynced, Condition.False, R.DataPlaneNotConfigured))
            .Message.ShouldBe("Environment \"bare-env\" has no spec.dataPlaneRef");
        await WaitForCondition("Environment", "ghost-env", "Ready", Condition.False, R.DataPlaneNotFound);
        await WaitForCondition("Environment", "bare-env", "Ready", Condition.False, R.DataPlaneNotConfigured);
        Get("Release", "greeter-service-ghost-env").ShouldBeNull();
        Get("Release", "greeter-service-bare-env").ShouldBeNull();

        // The data plane appears: the binding follows without any edit of its own.
        await Apply(DataPlaneYaml.Replace("name: default,", "name: ghost,", StringComparison.Ordinal));
        await WaitForSynced("greeter-service-ghost-env");
        (await WaitFor("Release", "greeter-service-ghost-env", _ => true, "created")).Labels[Labels.DataPlane].ShouldBe("ghost");
    }

    [Fact]
    public async Task A_rendering_failure_is_reported_and_leaves_the_release_untouched()
    {
        var before = await DeployGreeter();
        // The workload reads a secret through this SecretReference: without it, the render fails.
        await Store.DeleteAsync(new ResourceKey("SecretReference", "default", "github-credentials"), ct: Ct);
        var c = await WaitForCondition("ReleaseBinding", Binding, R.ReleaseSynced, Condition.False, R.RenderingFailed);
        c.Message.ShouldBe("workload.containers.main.env[2].valueFrom.secretRef.name: SecretReference \"github-credentials\" not found");
        await WaitForCondition("ReleaseBinding", Binding, R.Ready, Condition.False, R.RenderingFailed);
        var after = Get("Release", Release)!;
        after.ResourceVersion.ShouldBe(before.ResourceVersion);
        after.ToJson().ShouldBe(before.ToJson());

        // Restoring the reference heals the binding.
        await Store.CreateAsync(Samples.Read(Greeter).Single(o => o.Kind == "SecretReference"), Ct);
        await WaitForCondition("ReleaseBinding", Binding, R.ReleaseSynced, Condition.True, R.ReleaseSynced);
    }

    [Fact]
    public async Task A_release_controlled_by_another_object_is_not_taken_over()
    {
        await ApplySample(Greeter);
        var component = await WaitFor("Component", "greeter-service", c => c.Status?["latestRelease"] is not null, "released");
        // Someone else's Release squats on the binding's Release name before the binding exists.
        var squatter = Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Release
            metadata: {name: greeter-service-staging, namespace: default}
            spec: {owner: {projectName: default, componentName: greeter-service}, environmentName: staging, resources: []}
            """);
        squatter.SetOwnerReferences([OwnerReference.ControlledBy(component)]);
        var stored = await Store.CreateAsync(squatter, Ct);
        await Apply(ManualBinding("greeter-service-staging", "greeter-service", "staging", (string)component.Status!["latestRelease"]!["name"]!));
        var c = await WaitForCondition("ReleaseBinding", "greeter-service-staging", R.ReleaseSynced, Condition.False, R.ReleaseOwnershipConflict);
        c.Message.ShouldBe("Release \"greeter-service-staging\" exists and is controlled by Component \"greeter-service\"");
        Get("Release", "greeter-service-staging")!.ToJson().ShouldBe(stored.ToJson());
    }
}
