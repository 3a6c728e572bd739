using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>Issue 4's admission checks and schema route, through the real API.</summary>
public sealed class RenderingAdmissionTests(ControlPlaneFixture cp) : IClassFixture<ControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ResourceKind K(string kind) => KindRegistry.Default.FindByKind(kind)!;

    private async Task<ApiException> Refused(string kind, string yaml)
    {
        using var client = cp.Client();
        var before = await cp.Store.GetRevisionAsync(Ct);
        var obj = new ResourceObject(YamlCodec.ReadOne(yaml)!.AsObject());
        var e = await Should.ThrowAsync<ApiException>(() => client.ApplyAsync(K(kind), obj.DeepClone(), Ct));
        e.Code.ShouldBe(422);
        // The controllers run in this fixture and write other objects' status meanwhile: the refused object must not appear.
        (await StoreChanges.SinceAsync(cp.Store, before, Ct)).ShouldNotContain(c => c.EndsWith($" {obj.Kind}/{obj.Namespace}/{obj.Name}"), "nothing may be written");
        return e;
    }

    [Fact]
    public async Task A_component_type_whose_template_has_a_cel_syntax_error_is_refused_with_the_position()
    {
        var e = await Refused("ComponentType", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: ComponentType
            metadata: {name: broken-cel, namespace: default}
            spec:
              workloadType: deployment
              schema: {parameters: {replicas: "integer | default=1"}}
              resources:
                - id: deployment
                  template:
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: "${metadata.name}"}
                    spec: {replicas: "${parameters.replicas +}"}
            """);
        var cause = e.Causes.ShouldHaveSingleItem();
        cause.Field.ShouldStartWith("spec.resources[0].template.spec.replicas");
        cause.Message.ShouldContain("at line 1, column 22");
    }

    [Fact]
    public async Task Duplicate_trait_instance_names_are_refused()
    {
        var e = await Refused("Component", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Component
            metadata: {name: dup-traits, namespace: default}
            spec:
              owner: {projectName: default}
              componentType: deployment/service
              traits:
                - {name: a, instanceName: same}
                - {name: b, instanceName: same}
            """);
        e.Causes.ShouldContain(c => c.Field == "spec.traits[1].instanceName" && c.Reason == CauseReasons.Duplicate);
    }

    [Fact]
    public async Task A_parameter_of_the_wrong_type_for_the_component_type_is_refused()
    {
        var e = await Refused("Component", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Component
            metadata: {name: wrong-param, namespace: default}
            spec:
              owner: {projectName: default}
              componentType: deployment/service
              parameters: {replicas: "three"}
            """);
        e.Causes.ShouldContain(c => c.Field.EndsWith("replicas", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_schema_of_a_component_type_is_served_as_json_schema()
    {
        using var client = cp.Client();
        var schema = await client.GetJsonAsync("/apis/openchoreo.dev/v1alpha1/namespaces/default/componenttypes/service/schema", Ct);
        ((string?)schema["type"]).ShouldBe("object");
        var replicas = schema["properties"]!["parameters"]!["properties"]!["replicas"]!;
        ((string?)replicas["type"]).ShouldBe("integer");
        ((long?)replicas["default"]).ShouldBe(1);
    }
    [Fact]
    public async Task The_schema_of_a_trait_is_served_as_json_schema()
    {
        using var client = cp.Client();
        await client.ApplyAsync(K("Trait"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: schema-probe, namespace: default}
            spec:
              schema:
                parameters: {volumeName: "string", mountPath: "string | default=/data"}
                envOverrides: {size: "string | default=10Gi"}
              creates:
                - template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${metadata.name}-${trait.instanceName}"}}
            """)!.AsObject()), Ct);
        var schema = await client.GetJsonAsync("/apis/openchoreo.dev/v1alpha1/namespaces/default/traits/schema-probe/schema", Ct);
        var parameters = schema["properties"]!["parameters"]!;
        parameters["required"]!.ToJsonString().ShouldBe("""["volumeName"]""");
        ((string?)parameters["properties"]!["mountPath"]!["default"]).ShouldBe("/data");
        ((string?)schema["properties"]!["envOverrides"]!["properties"]!["size"]!["default"]).ShouldBe("10Gi");
    }

    [Fact]
    public async Task A_trait_whose_patch_where_has_a_cel_syntax_error_is_refused_with_the_position()
    {
        var e = await Refused("Trait", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: broken-where, namespace: default}
            spec:
              patches:
                - target: {group: apps, version: v1, kind: Deployment, where: "${resource.metadata.name ==}"}
                  operations: [{op: mergeShallow, path: /metadata/labels, value: {x: "y"}}]
            """);
        var cause = e.Causes.ShouldHaveSingleItem();
        cause.Field.ShouldBe("spec.patches[0].target.where");
        cause.Message.ShouldContain("at line 1, column");
    }
}
