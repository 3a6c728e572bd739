using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// Admission of a Component's references through the real API: its ComponentType (of the workload type it names) and
/// its Traits must exist when a write introduces them; writes that keep them (status, finalizers, other spec fields)
/// pass after the type or trait was deleted. Controllers are off, so only the test (and the gateway's presence Lease)
/// writes.
/// </summary>
public sealed class ComponentReferenceAdmissionTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private const string Components = "/apis/openchoreo.dev/v1alpha1/namespaces/default/components";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ResourceKind K(string kind) => KindRegistry.Default.FindByKind(kind)!;

    private static ResourceObject Yaml(string yaml) => new(YamlCodec.ReadOne(yaml)!.AsObject());

    /// <summary>POSTs a Component that must be refused with <paramref name="code"/>; the store must not move.</summary>
    private async Task<JsonObject> Refused(HttpStatusCode code, string path, string yaml)
    {
        using var client = cp.Client();
        var before = await cp.Store.GetRevisionAsync(Ct);
        using var response = await client.Http.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"), Ct);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        response.StatusCode.ShouldBe(code, status.ToJsonString());
        // Not the bare revision: the cluster gateway renews its presence Lease every few seconds even here.
        (await StoreChanges.SinceAsync(cp.Store, before, Ct)).ShouldBeEmpty("nothing may be written");
        return status;
    }

    private static void ShouldBeInvalid(JsonObject status, string name, string field, string reason, string message)
    {
        ((int)status["code"]!).ShouldBe(422);
        ((string?)status["status"]).ShouldBe("Failure");
        ((string?)status["reason"]).ShouldBe("Invalid");
        ((string?)status["message"]).ShouldBe($"Component \"{name}\" is invalid: {field}: {message}");
        ((string?)status["details"]!["kind"]).ShouldBe("Component");
        ((string?)status["details"]!["name"]).ShouldBe(name);
        var cause = status["details"]!["causes"]!.AsArray().ShouldHaveSingleItem()!;
        ((string?)cause["field"]).ShouldBe(field);
        ((string?)cause["reason"]).ShouldBe(reason);
        ((string?)cause["message"]).ShouldBe(message);
    }

    private static string Component(string name, string type, string traits = "[]", string ns = "default") => $$"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Component
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
          owner: {projectName: default}
          componentType: {{type}}
          traits: {{traits}}
        """;

    [Fact]
    public async Task A_component_whose_type_does_not_exist_is_refused_on_spec_componentType()
    {
        var status = await Refused((HttpStatusCode)422, Components, Component("no-type", "deployment/nonexistent"));
        ShouldBeInvalid(status, "no-type", "spec.componentType", CauseReasons.NotFound,
            "componenttype \"nonexistent\" not found in namespace \"default\"");
        using var client = cp.Client();
        (await client.TryGetAsync(K("Component"), "default", "no-type", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_component_naming_a_missing_trait_is_refused_on_that_trait_name()
    {
        var status = await Refused((HttpStatusCode)422, Components, Component("no-trait", "deployment/service",
            "[{name: missing-trait, instanceName: storage}]"));
        ShouldBeInvalid(status, "no-trait", "spec.traits[0].name", CauseReasons.NotFound,
            "trait \"missing-trait\" not found in namespace \"default\"");
        using var client = cp.Client();
        (await client.TryGetAsync(K("Component"), "default", "no-trait", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_workload_type_other_than_the_component_types_is_refused()
    {
        // The default "service" type is a deployment; the controller would refuse this pairing too.
        var status = await Refused((HttpStatusCode)422, Components, Component("wrong-workload", "statefulset/service"));
        ShouldBeInvalid(status, "wrong-workload", "spec.componentType", CauseReasons.Invalid,
            "workload type \"statefulset\" does not match componenttype \"service\", whose spec.workloadType is \"deployment\"");
    }

    [Fact]
    public async Task In_an_organization_that_does_not_exist_the_answer_is_the_namespace_404()
    {
        var status = await Refused(HttpStatusCode.NotFound, "/apis/openchoreo.dev/v1alpha1/namespaces/no-such-org/components",
            Component("lost", "deployment/nonexistent", ns: "no-such-org"));
        ((string?)status["reason"]).ShouldBe("NotFound");
        ((string?)status["message"]).ShouldStartWith("namespace \"no-such-org\" not found: create Organization \"no-such-org\" first");
        status["details"]!["causes"].ShouldBeNull();
    }

    [Fact]
    public async Task After_its_type_and_trait_are_deleted_a_component_can_still_be_updated_finalized_and_deleted()
    {
        using var client = cp.Client();
        await client.ApplyAsync(K("ComponentType"), Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ComponentType
            metadata: {name: short-lived, namespace: default}
            spec:
              workloadType: deployment
              resources:
                - id: deployment
                  template: {apiVersion: apps/v1, kind: Deployment, metadata: {name: "${metadata.name}"}}
            """), Ct);
        await client.ApplyAsync(K("Trait"), Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: short-lived-trait, namespace: default}
            spec: {}
            """), Ct);
        var applied = Yaml(Component("orphan", "deployment/short-lived", "[{name: short-lived-trait, instanceName: t}]"));
        applied.SetFinalizers(["test.openchoreo.dev/hold"]);
        await client.ApplyAsync(K("Component"), applied, Ct);
        (await client.DeleteAsync(K("ComponentType"), "default", "short-lived", Ct)).ShouldBeTrue();
        (await client.DeleteAsync(K("Trait"), "default", "short-lived-trait", Ct)).ShouldBeTrue();
        (await client.TryGetAsync(K("ComponentType"), "default", "short-lived", Ct)).ShouldBeNull();
        (await client.TryGetAsync(K("Trait"), "default", "short-lived-trait", Ct)).ShouldBeNull();

        // Status, as the controller writes it to say the type is gone.
        var component = await client.GetAsync(K("Component"), "default", "orphan", Ct);
        component.Node["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Ready", ["status"] = "False", ["reason"] = "ComponentTypeNotFound", ["message"] = "gone",
            ["lastTransitionTime"] = "2026-01-01T00:00:00Z",
        }) };
        component = await client.UpdateStatusAsync(K("Component"), component, Ct);
        ((string?)component.Status!["conditions"]![0]!["reason"]).ShouldBe("ComponentTypeNotFound");

        // A spec change that keeps the references is not judged on them.
        component.Node["spec"]!["autoDeploy"] = true;
        component = await client.UpdateAsync(K("Component"), component, Ct);
        ((bool?)component.Spec!["autoDeploy"]).ShouldBe(true);

        // A trait the write introduces is checked, though the deleted one it keeps is not.
        var more = component.DeepClone();
        ((JsonArray)more.Spec!["traits"]!).Add(new JsonObject { ["name"] = "other-missing", ["instanceName"] = "u" });
        var e = await Should.ThrowAsync<ApiException>(() => client.UpdateAsync(K("Component"), more, Ct));
        e.Code.ShouldBe(422);
        e.Causes.ShouldHaveSingleItem().ShouldBe(new StatusCause("spec.traits[1].name", CauseReasons.NotFound,
            "trait \"other-missing\" not found in namespace \"default\""));
        (await client.GetAsync(K("Component"), "default", "orphan", Ct)).ResourceVersion.ShouldBe(component.ResourceVersion);

        // Deletion waits on the finalizer; removing it (a metadata-only update) completes the deletion.
        (await client.DeleteAsync(K("Component"), "default", "orphan", Ct)).ShouldBeTrue();
        component = await client.GetAsync(K("Component"), "default", "orphan", Ct);
        component.DeletionTimestamp.ShouldNotBeNull();
        component.SetFinalizers([]);
        await client.UpdateAsync(K("Component"), component, Ct);
        (await client.TryGetAsync(K("Component"), "default", "orphan", Ct)).ShouldBeNull();
    }
}
