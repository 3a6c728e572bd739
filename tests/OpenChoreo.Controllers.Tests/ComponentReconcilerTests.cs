using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.Controllers.Tests;

public sealed class ComponentReconcilerTests : IAsyncLifetime
{
    private StoreHost _host = null!;

    private IResourceStore Store => _host.Store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await StoreHost.StartAsync(configure: s => s.AddSingleton<IReconciler, ComponentReconciler>());
        foreach (var o in DefaultResources.Load()) await Store.CreateAsync(o, Ct);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static ResourceObject Yaml(string yaml) => new(YamlCodec.ReadOne(yaml)!.AsObject());

    private Task Apply(string yaml) => Store.CreateAsync(Yaml(yaml), Ct);

    private static string Component(string name, bool autoDeploy = true, string type = "deployment/service") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Component
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          owner: {"{"}projectName: default{"}"}
          componentType: {type}
          autoDeploy: {(autoDeploy ? "true" : "false")}
          parameters: {"{"}port: 8080{"}"}
        """;

    private static string Workload(string component, string image, string name = "") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Workload
        metadata: {"{"}name: {(name.Length > 0 ? name : component + "-workload")}, namespace: default{"}"}
        spec:
          owner: {"{"}projectName: default, componentName: {component}{"}"}
          containers:
            main: {"{"}image: {image}{"}"}
        """;

    private async Task<Condition> WaitForReady(string component, string status, string reason)
    {
        Condition? last = null;
        await Eventually.WaitUntilAsync(() =>
        {
            var c = Store.GetAsync(new ResourceKey("Component", "default", component), Ct).GetAwaiter().GetResult();
            last = c is null ? null : Conditions.Get(c, "Ready");
            return last?.Status == status && last.Reason == reason;
        }, $"{component} Ready={status} ({reason}); last: {last}", TimeSpan.FromSeconds(20), Ct);
        return last!;
    }

    [Fact]
    public async Task Auto_deploy_creates_an_immutable_release_and_binds_it_to_the_root_environment()
    {
        await Apply(Component("greeter"));
        await Apply(Workload("greeter", "greeter:v1"));
        await WaitForReady("greeter", Condition.True, "ComponentReleaseReady");
        var component = (await Store.GetAsync(new("Component", "default", "greeter"), Ct))!;
        var releaseName = (string)component.Status!["latestRelease"]!["name"]!;
        releaseName.ShouldStartWith("greeter-");
        var release = (await Store.GetAsync(new("ComponentRelease", "default", releaseName), Ct))!;
        ((string?)release.Spec!["workload"]!["containers"]!["main"]!["image"]).ShouldBe("greeter:v1");
        ((string?)release.Spec!["componentType"]!["workloadType"]).ShouldBe("deployment");
        ((long?)release.Spec!["componentProfile"]!["parameters"]!["port"]).ShouldBe(8080);
        release.OwnerReferences.Single().Uid.ShouldBe(component.Uid);
        var binding = (await Store.GetAsync(new("ReleaseBinding", "default", "greeter-development"), Ct))!;
        ((string?)binding.Spec!["releaseName"]).ShouldBe(releaseName);
        ((string?)binding.Spec!["environment"]).ShouldBe("development");

        // A new image is a new release; the binding follows it.
        var workload = (await Store.GetAsync(new("Workload", "default", "greeter-workload"), Ct))!;
        workload.Spec!["containers"]!["main"]!["image"] = "greeter:v2";
        await Store.UpdateAsync(workload, UpdateScope.Main, Ct);
        await Eventually.WaitUntilAsync(() =>
        {
            var b = Store.GetAsync(new("ReleaseBinding", "default", "greeter-development"), Ct).GetAwaiter().GetResult();
            return (string?)b!.Spec!["releaseName"] != releaseName;
        }, "the binding moves to the new release", TimeSpan.FromSeconds(20), Ct);
        (await Store.ListAsync(new ListOptions("ComponentRelease", "default") { Filter = r => r.Name.StartsWith("greeter-", StringComparison.Ordinal) }, Ct)).Items.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Without_auto_deploy_a_release_is_made_but_not_bound()
    {
        await Apply(Component("manual", autoDeploy: false));
        await Apply(Workload("manual", "manual:v1"));
        await WaitForReady("manual", Condition.True, "Reconciled");
        (await Store.GetAsync(new("ReleaseBinding", "default", "manual-development"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_missing_workload_is_reported()
    {
        await Apply(Component("no-workload"));
        var c = await WaitForReady("no-workload", Condition.False, "WorkloadNotFound");
        c.Message.ShouldContain("no Workload");
    }

    [Fact]
    public async Task Two_workloads_for_one_component_are_invalid()
    {
        // Both workloads exist before the component, so no release is ever made from just one of them.
        await Apply(Workload("twins", "a:1", "twins-a"));
        await Apply(Workload("twins", "b:1", "twins-b"));
        await Apply(Component("twins"));
        var c = await WaitForReady("twins", Condition.False, "InvalidConfiguration");
        c.Message.ShouldContain("exactly one Workload");
        (await Store.GetAsync(new("ReleaseBinding", "default", "twins-development"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_missing_component_type_is_reported()
    {
        // Straight into the store: the API refuses this Component, but the path is what a Component meets when its
        // ComponentType is deleted after it was created.
        await Apply(Component("typeless", type: "deployment/nonexistent"));
        await Apply(Workload("typeless", "x:1"));
        var c = await WaitForReady("typeless", Condition.False, "ComponentTypeNotFound");
        c.Message.ShouldContain("nonexistent");
    }

    [Fact]
    public async Task Deleting_the_component_removes_its_releases_and_bindings()
    {
        await Apply(Component("doomed"));
        await Apply(Workload("doomed", "doomed:v1"));
        await WaitForReady("doomed", Condition.True, "ComponentReleaseReady");
        await Store.DeleteAsync(new("Component", "default", "doomed"), ct: Ct);
        await Eventually.WaitUntilAsync(() =>
            Store.GetAsync(new("ReleaseBinding", "default", "doomed-development"), Ct).GetAwaiter().GetResult() is null &&
            Store.ListAsync(new ListOptions("ComponentRelease", "default") { Filter = r => r.Name.StartsWith("doomed-", StringComparison.Ordinal) }, Ct).GetAwaiter().GetResult().Items.Count == 0,
            "the garbage collector removes the component's releases and bindings", TimeSpan.FromSeconds(20), Ct);
    }

    private static string OverridesOnlyBinding(string component) => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: ReleaseBinding
        metadata: {"{"}name: {component}-development, namespace: default{"}"}
        spec:
          owner: {"{"}projectName: default, componentName: {component}{"}"}
          environment: development
          componentTypeEnvOverrides: {"{"}resources: {"{"}limits: {"{"}cpu: 200m{"}"}{"}"}{"}"}
        """;

    [Fact]
    public async Task A_binding_applied_before_its_component_is_adopted_bound_and_deleted_with_it()
    {
        await Apply(OverridesOnlyBinding("early"));
        await Apply(Component("early"));
        await Apply(Workload("early", "early:v1"));
        await WaitForReady("early", Condition.True, "ComponentReleaseReady");
        var component = (await Store.GetAsync(new("Component", "default", "early"), Ct))!;
        await Eventually.WaitUntilAsync(() =>
        {
            var b = Store.GetAsync(new("ReleaseBinding", "default", "early-development"), Ct).GetAwaiter().GetResult()!;
            return (string?)b.Spec!["releaseName"] == (string?)component.Status!["latestRelease"]!["name"] && b.OwnerReferences.Count == 1;
        }, "the user's binding names the latest release and is owned by the component", TimeSpan.FromSeconds(20), Ct);
        var binding = (await Store.GetAsync(new("ReleaseBinding", "default", "early-development"), Ct))!;
        binding.OwnerReferences.Single().Uid.ShouldBe(component.Uid);
        ((string?)binding.Spec!["componentTypeEnvOverrides"]!["resources"]!["limits"]!["cpu"]).ShouldBe("200m");

        await Store.DeleteAsync(new("Component", "default", "early"), ct: Ct);
        await Eventually.WaitUntilAsync(() => Store.GetAsync(new("ReleaseBinding", "default", "early-development"), Ct).GetAwaiter().GetResult() is null,
            "deleting the component removes the adopted binding", TimeSpan.FromSeconds(20), Ct);
    }

    [Fact]
    public async Task A_binding_replaced_without_its_release_name_gets_the_latest_release_again()
    {
        await Apply(Component("replaced"));
        await Apply(Workload("replaced", "replaced:v1"));
        await WaitForReady("replaced", Condition.True, "ComponentReleaseReady");
        var latest = (string?)(await Store.GetAsync(new("Component", "default", "replaced"), Ct))!.Status!["latestRelease"]!["name"];
        var binding = (await Store.GetAsync(new("ReleaseBinding", "default", "replaced-development"), Ct))!;
        binding.Node["spec"] = Yaml(OverridesOnlyBinding("replaced")).Node["spec"]!.DeepClone();
        await Store.UpdateAsync(binding, UpdateScope.Main, Ct);
        await Eventually.WaitUntilAsync(() =>
            (string?)Store.GetAsync(new("ReleaseBinding", "default", "replaced-development"), Ct).GetAwaiter().GetResult()!.Spec!["releaseName"] == latest,
            "the binding names the latest release again", TimeSpan.FromSeconds(20), Ct);
    }
}
