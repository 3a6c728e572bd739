using System.Text.Json.Nodes;
using OpenChoreo.Agent;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Naming;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// Observability-plane resources end to end (ours; upstream drops them): one real control plane, a real data-plane
/// agent and a real observability-plane agent over the mTLS tunnel, both with the in-memory runtime (the runtime
/// boundary). The data-plane agent gets only the data-plane resources, the observability agent only the others.
/// </summary>
public sealed class ObservabilityDeliveryEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private const string DataRelease = "watched-development";
    private static readonly string ObservabilityRelease = NameGenerator.Generate(DataRelease, "observability");

    private const string Manifests = """
        apiVersion: openchoreo.dev/v1alpha1
        kind: ComponentType
        metadata: {name: watched, namespace: default}
        spec:
          workloadType: deployment
          resources:
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${metadata.name}", namespace: "${metadata.namespace}"}
                spec:
                  replicas: 1
                  template:
                    spec:
                      containers:
                        - {name: main, image: "${workload.containers.main.image}"}
            - id: alerts
              targetPlane: observabilityplane
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "${metadata.name}-alerts", namespace: "${metadata.namespace}"}
                data: {rule: "up == 0"}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Component
        metadata: {name: watched, namespace: default}
        spec:
          owner: {projectName: default}
          autoDeploy: true
          componentType: deployment/watched
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Workload
        metadata: {name: watched-workload, namespace: default}
        spec:
          owner: {projectName: default, componentName: watched}
          containers:
            main: {image: "registry.local/watched:1"}
        """;

    private static IReadOnlyList<string?> Kinds(InMemoryReleaseRuntime runtime, string release) =>
        [.. runtime.Releases[release].Resources.Select(r => (string?)r!["kind"])];

    private static async Task<JsonObject?> ConditionAsync(IResourceStore store, string kind, string name, string type) =>
        ((await store.GetAsync(new ResourceKey(kind, "default", name), Ct))?.Status?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] == type);

    private static Task WaitConditionAsync(IResourceStore store, string kind, string name, string type, string status, string reason) =>
        Eventually.WaitUntilAsync(async () => await ConditionAsync(store, kind, name, type) is { } c && (string?)c["status"] == status && (string?)c["reason"] == reason,
            $"{kind} {name} {type}={status} ({reason})", Settle, Ct);

    private static async Task EditAsync(IResourceStore store, string kind, string name, Action<ResourceObject> edit)
    {
        for (var attempt = 0; ; attempt++)
        {
            var o = (await store.GetAsync(new ResourceKey(kind, "default", name), Ct))!;
            edit(o);
            try
            {
                await store.UpdateAsync(o, UpdateScope.Main, Ct);
                return;
            }
            catch (ApiException e) when (e.Code == 409 && attempt < 20)
            {
            }
        }
    }

    private static async Task<(LiveInstallation Cp, InMemoryReleaseRuntime Data, InMemoryReleaseRuntime Observer)> StartAsync(bool link)
    {
        var cp = await LiveInstallation.StartAsync([]);
        var data = await cp.ConnectAgentAsync("default", "default");
        var observer = await cp.ConnectAgentAsync("default", "observer", "observabilityplane", "localhost");
        if (link) await EditAsync(cp.Store, "DataPlane", "default", dp => dp.Spec!["observabilityPlaneRef"] = "observer");
        var file = Path.Combine(Directory.CreateTempSubdirectory("oc-obs-").FullName, "watched.yaml");
        await File.WriteAllTextAsync(file, Manifests, Ct);
        var (code, _, err) = await cp.OccAsync("apply", "-f", file);
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        return (cp, data, observer);
    }

    [Fact]
    public async Task Each_agent_gets_its_own_part_both_releases_become_ready_and_a_dropped_resource_leaves_the_observer()
    {
        var (cp, data, observer) = await StartAsync(link: true);
        await using var _ = cp;

        await Eventually.WaitUntilAsync(() => data.Releases.ContainsKey(DataRelease), "the data-plane agent holds its release", Settle, Ct);
        await Eventually.WaitUntilAsync(() => observer.Releases.ContainsKey(ObservabilityRelease), "the observability agent holds its release", Settle, Ct);
        Kinds(data, DataRelease).ShouldBe(["Deployment"]);
        Kinds(observer, ObservabilityRelease).ShouldBe(["ConfigMap"]);
        data.Releases.ShouldNotContainKey(ObservabilityRelease);
        observer.Releases.ShouldNotContainKey(DataRelease);

        // Both Releases are Ready from their own agent's health reports, and keep the delivery finalizer.
        await WaitConditionAsync(cp.Store, "Release", DataRelease, "Ready", "True", ReleaseStatusNames.Delivered);
        await WaitConditionAsync(cp.Store, "Release", ObservabilityRelease, "Ready", "True", ReleaseStatusNames.Delivered);
        var obs = (await cp.Store.GetAsync(new ResourceKey("Release", "default", ObservabilityRelease), Ct))!;
        obs.Finalizers.ShouldContain(ReleaseStatusNames.Finalizer);
        ((string?)(await ConditionAsync(cp.Store, "Release", ObservabilityRelease, "Ready"))!["message"] ?? "").ShouldContain("observabilityplane observer");
        await WaitConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "ObservabilityReleaseSynced", "True", "ReleaseSynced");
        await WaitConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "Ready", "True", "Ready");

        // The type stops declaring the observability resource: the next release takes it off the observer only.
        await EditAsync(cp.Store, "ComponentType", "watched", t => ((JsonArray)t.Spec!["resources"]!).RemoveAt(1));
        await Eventually.WaitUntilAsync(() => !observer.Releases.ContainsKey(ObservabilityRelease), "the observer no longer holds the release", Settle, Ct);
        await Eventually.WaitUntilAsync(async () => await cp.Store.GetAsync(new ResourceKey("Release", "default", ObservabilityRelease), Ct) is null,
            "the observability Release is gone (the agent confirmed the removal)", Settle, Ct);
        data.Releases.ShouldContainKey(DataRelease);
        Kinds(data, DataRelease).ShouldBe(["Deployment"]);
    }

    [Fact]
    public async Task Without_the_link_the_binding_says_so_and_the_data_plane_still_gets_its_part_then_undeploy_clears_both_agents()
    {
        var (cp, data, observer) = await StartAsync(link: false);
        await using var _ = cp;

        await Eventually.WaitUntilAsync(() => data.Releases.ContainsKey(DataRelease), "the data-plane agent holds its release", Settle, Ct);
        Kinds(data, DataRelease).ShouldBe(["Deployment"]);
        await WaitConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "ObservabilityReleaseSynced", "False", "ObservabilityPlaneNotConfigured");
        ((string?)(await ConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "ObservabilityReleaseSynced"))!["message"])
            .ShouldBe("DataPlane \"default\" has no spec.observabilityPlaneRef; 1 observability-plane resource(s) are not delivered");
        await WaitConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "Ready", "True", "Ready");
        observer.Releases.ShouldBeEmpty();
        (await cp.Store.GetAsync(new ResourceKey("Release", "default", ObservabilityRelease), Ct)).ShouldBeNull();

        // A link to a plane that does not exist is reported by name.
        await EditAsync(cp.Store, "DataPlane", "default", dp => dp.Spec!["observabilityPlaneRef"] = "nowhere");
        await WaitConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "ObservabilityReleaseSynced", "False", "ObservabilityPlaneNotFound");
        ((string?)(await ConditionAsync(cp.Store, "ReleaseBinding", DataRelease, "ObservabilityReleaseSynced"))!["message"])
            .ShouldBe("ObservabilityPlane \"nowhere\" of DataPlane \"default\" not found in namespace \"default\"; 1 observability-plane resource(s) are not delivered");
        observer.Releases.ShouldBeEmpty();

        // Linked: delivered to the observer; undeploy then takes both parts off both agents.
        await EditAsync(cp.Store, "DataPlane", "default", dp => dp.Spec!["observabilityPlaneRef"] = "observer");
        await Eventually.WaitUntilAsync(() => observer.Releases.ContainsKey(ObservabilityRelease), "the observability agent holds its release", Settle, Ct);
        Kinds(observer, ObservabilityRelease).ShouldBe(["ConfigMap"]);
        var (code, _, err) = await cp.OccAsync("undeploy", "watched", "--env", "development");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await Eventually.WaitUntilAsync(() => observer.Releases.Count == 0 && data.Releases.Count == 0, "undeploy cleared both agents", Settle, Ct);
        await Eventually.WaitUntilAsync(async () => (await cp.Store.ListAsync(new ListOptions("Release", "default"), Ct)).Items.Count == 0,
            "no Release is left", Settle, Ct);
    }
}
