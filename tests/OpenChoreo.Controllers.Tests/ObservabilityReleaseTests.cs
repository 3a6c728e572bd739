using System.Text.Json.Nodes;
using OpenChoreo.Model;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers.Tests;

/// <summary>
/// Resources a ComponentType declares with <c>targetPlane: observabilityplane</c> go into a second Release labelled
/// with the ObservabilityPlane the DataPlane links (ours; upstream drops them).
/// </summary>
public sealed class ObservabilityReleaseTests : ChainTestBase
{
    private const string Binding = "watched-development";
    private const string DataRelease = "watched-development";

    public const string ComponentTypeYaml = """
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
        """;

    public const string ComponentYaml = """
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

    public const string ObservabilityPlaneYaml = """
        apiVersion: openchoreo.dev/v1alpha1
        kind: ObservabilityPlane
        metadata: {name: observer, namespace: default}
        spec: {observerURL: "http://127.0.0.1:9"}
        """;

    private static string ObservabilityRelease => NameOf(Binding);

    private static string NameOf(string binding) => Rendering.Naming.NameGenerator.Generate(binding, "observability");

    private static IReadOnlyList<string> Kinds(ResourceObject release) =>
        [.. ((JsonArray)release.Spec!["resources"]!).Select(r => (string)r!["object"]!["kind"]!)];

    private async Task ApplyAll(string yaml)
    {
        foreach (var d in YamlCodec.ReadAll(yaml)) await Store.CreateAsync(new ResourceObject(d.AsObject()), Ct);
    }

    [Fact]
    public async Task Observability_resources_wait_for_the_link_then_get_their_own_release()
    {
        await Apply(ComponentTypeYaml);
        await ApplyAll(ComponentYaml);
        await WaitForSynced(Binding);

        // No link: the data plane gets its part, the condition says what is missing, no second Release is made.
        Kinds(Get("Release", DataRelease)!).ShouldBe(["Deployment"]);
        var missing = await WaitForCondition("ReleaseBinding", Binding, R.ObservabilityReleaseSynced, Condition.False, R.ObservabilityPlaneNotConfigured);
        missing.Message.ShouldBe("DataPlane \"default\" has no spec.observabilityPlaneRef; 1 observability-plane resource(s) are not delivered");
        Get("Release", ObservabilityRelease).ShouldBeNull();

        // A link to a plane that does not exist.
        await Edit("DataPlane", "default", dp => dp.Spec!["observabilityPlaneRef"] = "observer");
        var notFound = await WaitForCondition("ReleaseBinding", Binding, R.ObservabilityReleaseSynced, Condition.False, R.ObservabilityPlaneNotFound);
        notFound.Message.ShouldBe("ObservabilityPlane \"observer\" of DataPlane \"default\" not found in namespace \"default\"; 1 observability-plane resource(s) are not delivered");
        Get("Release", ObservabilityRelease).ShouldBeNull();
        Kinds(Get("Release", DataRelease)!).ShouldBe(["Deployment"]);

        // The plane appears: its watch wakes the binding, which writes the second Release.
        await Apply(ObservabilityPlaneYaml);
        var obs = await WaitFor("Release", ObservabilityRelease, _ => true, "the observability Release exists");
        ObservabilityRelease.ShouldStartWith("watched-development-observability-");
        Kinds(obs).ShouldBe(["ConfigMap"]);
        obs.Labels[Labels.ObservabilityPlane].ShouldBe("observer");
        obs.Labels.ShouldNotContainKey(Labels.DataPlane);
        var data = Get("Release", DataRelease)!;
        foreach (var label in new[] { Labels.Organization, Labels.Project, Labels.Component, Labels.Environment })
            obs.Labels[label].ShouldBe(data.Labels[label]);
        var binding = Get("ReleaseBinding", Binding)!;
        var owner = obs.OwnerReferences.ShouldHaveSingleItem();
        (owner.Kind, owner.Name, owner.Uid, owner.Controller).ShouldBe(("ReleaseBinding", Binding, binding.Uid, true));
        obs.Spec!["owner"]!.ToJsonString().ShouldBe(data.Spec!["owner"]!.ToJsonString());
        ((string?)obs.Spec!["environmentName"]).ShouldBe("development");
        var synced = await WaitForCondition("ReleaseBinding", Binding, R.ObservabilityReleaseSynced, Condition.True, R.ReleaseSynced);
        synced.Message.ShouldBe($"Release \"{ObservabilityRelease}\" is up to date for ObservabilityPlane \"observer\"");

        // Undeploy removes both Releases.
        await Edit("ReleaseBinding", Binding, b => b.Spec!["state"] = ReleaseStates.Undeploy);
        await WaitGone("Release", ObservabilityRelease);
        await WaitGone("Release", DataRelease);
    }

    [Fact]
    public async Task A_type_that_stops_declaring_observability_resources_loses_the_second_release_and_its_condition()
    {
        await Apply(ObservabilityPlaneYaml);
        await Edit("DataPlane", "default", dp => dp.Spec!["observabilityPlaneRef"] = "observer");
        await Apply(ComponentTypeYaml);
        await ApplyAll(ComponentYaml);
        await WaitFor("Release", ObservabilityRelease, _ => true, "the observability Release exists");
        var first = Get("ReleaseBinding", Binding)!;

        // The type drops its observability resource; the component's next release renders none.
        await Edit("ComponentType", "watched", t => ((JsonArray)t.Spec!["resources"]!).RemoveAt(1));
        await WaitGone("Release", ObservabilityRelease);
        var binding = await WaitFor("ReleaseBinding", Binding, b => (string?)b.Spec!["releaseName"] != (string?)first.Spec!["releaseName"]
            && Conditions.Get(b, R.ObservabilityReleaseSynced) is null, "the binding moved on and dropped the condition");
        Conditions.Get(binding, R.ReleaseSynced)!.IsTrue.ShouldBeTrue();
        Kinds(Get("Release", DataRelease)!).ShouldBe(["Deployment"]);
    }
}
