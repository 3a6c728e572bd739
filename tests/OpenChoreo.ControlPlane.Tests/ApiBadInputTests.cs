using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>Every bad input of issue 2 gets a precise 4xx and leaves the store unchanged.</summary>
public sealed class ApiBadInputTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private const string Prefix = "/apis/openchoreo.dev/v1alpha1";

    private async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpMethod method, string path, string? body, string contentType = "application/yaml", string? token = "")
    {
        using var client = token == "" ? cp.Client() : cp.ClientWithToken(token);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        // Large bodies ask first, so a refusal (413) arrives before the body is sent.
        if (body?.Length > 64 * 1024) request.Headers.ExpectContinue = true;
        using var response = await client.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>Runs a request that must fail and checks that the store did not move.</summary>
    private async Task<JsonObject> ExpectFailure(HttpStatusCode expected, HttpMethod method, string path, string? body,
        string contentType = "application/yaml", string? token = "")
    {
        var before = await cp.Store.GetRevisionAsync(TestContext.Current.CancellationToken);
        var (code, status) = await Send(method, path, body, contentType, token);
        code.ShouldBe(expected, status.ToJsonString());
        ((string?)status["kind"]).ShouldBe("Status");
        ((int)status["code"]!).ShouldBe((int)expected);
        (await cp.Store.GetRevisionAsync(TestContext.Current.CancellationToken)).ShouldBe(before, "the store must not change");
        return status;
    }

    private static string Env(string name, string extra = "") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Environment
        metadata:
          name: {name}
          namespace: default
        spec:
          dataPlaneRef: default
        {extra}
        """;

    [Fact]
    public async Task Malformed_yaml_is_a_400_naming_the_position()
    {
        var status = await ExpectFailure(HttpStatusCode.BadRequest, HttpMethod.Post, Prefix + "/namespaces/default/environments",
            "apiVersion: openchoreo.dev/v1alpha1\nkind: Environment\nmetadata: name: x: y\n");
        ((string?)status["reason"]).ShouldBe("BadRequest");
        ((string)status["message"]!).ShouldContain("malformed YAML at line");
    }

    [Fact]
    public async Task Malformed_json_is_a_400()
    {
        var status = await ExpectFailure(HttpStatusCode.BadRequest, HttpMethod.Post, Prefix + "/namespaces/default/environments",
            "{\"apiVersion\": \"openchoreo.dev/v1alpha1\", \"kind\": ", "application/json");
        ((string)status["message"]!).ShouldStartWith("the request body is not valid JSON");
    }

    [Fact]
    public async Task Unknown_kind_is_a_400()
    {
        var status = await ExpectFailure(HttpStatusCode.BadRequest, HttpMethod.Patch, Prefix + "/namespaces/default/environments/x",
            "apiVersion: openchoreo.dev/v1alpha1\nkind: Widget\nmetadata: {name: x}\n", "application/apply-patch+yaml");
        ((string?)status["message"]).ShouldBe("no kind \"Widget\" is registered for version \"openchoreo.dev/v1alpha1\"");
    }

    [Fact]
    public async Task Unknown_api_version_is_a_400()
    {
        var status = await ExpectFailure(HttpStatusCode.BadRequest, HttpMethod.Post, Prefix + "/namespaces/default/environments",
            Env("bad-version").Replace("openchoreo.dev/v1alpha1", "choreo.dev/v1alpha1"));
        ((string)status["message"]!).ShouldContain("no kind \"Environment\" is registered for version \"choreo.dev/v1alpha1\"");
        status["details"]!["causes"]![0]!["field"]!.GetValue<string>().ShouldBe("apiVersion");
    }

    [Fact]
    public async Task Unknown_resource_in_the_url_is_a_404()
    {
        var status = await ExpectFailure(HttpStatusCode.NotFound, HttpMethod.Get, Prefix + "/namespaces/default/widgets", null);
        ((string)status["message"]!).ShouldContain("\"widgets\" is not a resource");
    }

    [Fact]
    public async Task Missing_required_field_is_a_422_naming_the_field()
    {
        var status = await ExpectFailure((HttpStatusCode)422, HttpMethod.Post, Prefix + "/namespaces/default/projects", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: no-pipeline, namespace: default}
            spec: {}
            """);
        ((string?)status["reason"]).ShouldBe("Invalid");
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        ((string?)cause["field"]).ShouldBe("spec.deploymentPipelineRef");
        ((string?)cause["reason"]).ShouldBe(CauseReasons.Required);
        (await cp.Store.GetAsync(new("Project", "default", "no-pipeline"), TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Fact]
    public async Task Wrong_type_is_a_422_naming_the_field()
    {
        var status = await ExpectFailure((HttpStatusCode)422, HttpMethod.Post, Prefix + "/namespaces/default/environments",
            Env("wrong-type", "  isProduction: \"yes\""));
        var causes = status["details"]!["causes"]!.AsArray();
        var cause = causes.Single(c => (string?)c!["field"] != "")!;
        // As Kubernetes does, rules are skipped on a structurally invalid object, and the response says so.
        causes.Where(c => (string?)c!["field"] == "").ShouldAllBe(c => ((string)c!["message"]!).StartsWith("some validation rules were not checked"));
        ((string?)cause["field"]).ShouldBe("spec.isProduction");
        ((string?)cause["reason"]).ShouldBe(CauseReasons.TypeInvalid);
    }

    [Theory]
    [InlineData("Upper-Case")]
    [InlineData("under_score")]
    [InlineData("-leading-dash")]
    public async Task Invalid_name_is_a_422_on_metadata_name(string name)
    {
        var status = await ExpectFailure((HttpStatusCode)422, HttpMethod.Post, Prefix + "/namespaces/default/environments", Env(name));
        var cause = status["details"]!["causes"]!.AsArray().First()!;
        ((string?)cause["field"]).ShouldBe("metadata.name");
    }

    [Fact]
    public async Task Changing_an_immutable_field_is_a_422()
    {
        using var client = cp.Client();
        var kind = KindRegistry.Default.FindByKind("Component")!;
        var component = new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Component
            metadata: {name: immutable-type, namespace: default}
            spec:
              owner: {projectName: default}
              componentType: deployment/service
            """)!.AsObject());
        var created = await client.ApplyAsync(kind, component, TestContext.Current.CancellationToken);
        var changed = created.Object.DeepClone();
        changed.Node["spec"]!["componentType"] = "deployment/web-application";
        var status = await ExpectFailure((HttpStatusCode)422, HttpMethod.Put, Prefix + "/namespaces/default/components/immutable-type",
            changed.ToJson(), "application/json");
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        ((string?)cause["field"]).ShouldBe("spec.componentType");
        ((string)cause["message"]!).ShouldContain("cannot be changed");
        var stored = await client.GetAsync(kind, "default", "immutable-type", TestContext.Current.CancellationToken);
        ((string?)stored.Spec!["componentType"]).ShouldBe("deployment/service");
    }

    [Fact]
    public async Task Stale_resource_version_is_a_409()
    {
        using var client = cp.Client();
        var kind = KindRegistry.Default.FindByKind("Environment")!;
        var (env, _) = await client.ApplyAsync(kind, new ResourceObject(YamlCodec.ReadOne(Env("stale"))!.AsObject()), TestContext.Current.CancellationToken);
        var stale = env.DeepClone();
        env.SetLabel("touched", "yes");
        await client.UpdateAsync(kind, env, TestContext.Current.CancellationToken);
        stale.SetLabel("touched", "no");
        var status = await ExpectFailure(HttpStatusCode.Conflict, HttpMethod.Put, Prefix + "/namespaces/default/environments/stale",
            stale.ToJson(), "application/json");
        ((string?)status["reason"]).ShouldBe("Conflict");
        ((string)status["message"]!).ShouldContain("the object has been modified");
        (await client.GetAsync(kind, "default", "stale", TestContext.Current.CancellationToken)).Labels["touched"].ShouldBe("yes");
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_a_413()
    {
        var huge = Env("huge") + "\n  # " + new string('x', 3 * 1024 * 1024 + 10);
        var status = await ExpectFailure(HttpStatusCode.RequestEntityTooLarge, HttpMethod.Post, Prefix + "/namespaces/default/environments", huge);
        ((string?)status["reason"]).ShouldBe("RequestEntityTooLarge");
    }

    [Fact]
    public async Task Missing_token_is_a_401()
    {
        var status = await ExpectFailure(HttpStatusCode.Unauthorized, HttpMethod.Post, Prefix + "/namespaces/default/environments", Env("anon"), token: null);
        ((string)status["message"]!).ShouldContain("a bearer token is required");
    }

    [Fact]
    public async Task Wrong_token_is_a_401()
    {
        var forged = cp.Context.Token![..^4] + "AAAA";
        var status = await ExpectFailure(HttpStatusCode.Unauthorized, HttpMethod.Get, Prefix + "/namespaces/default/environments", null, token: forged);
        ((string)status["message"]!).ShouldContain("not valid");
        await ExpectFailure(HttpStatusCode.Unauthorized, HttpMethod.Get, Prefix + "/namespaces/default/environments", null, token: "garbage");
    }

    [Fact]
    public async Task Missing_namespace_is_a_404_naming_the_organization()
    {
        var status = await ExpectFailure(HttpStatusCode.NotFound, HttpMethod.Post, Prefix + "/namespaces/nowhere/environments",
            Env("orphan").Replace("namespace: default", "namespace: nowhere"));
        ((string)status["message"]!).ShouldContain("namespace \"nowhere\" not found");
        ((string?)status["details"]!["kind"]).ShouldBe("Organization");
    }

    [Fact]
    public async Task Namespace_mismatch_between_url_and_body_is_a_400() =>
        await ExpectFailure(HttpStatusCode.BadRequest, HttpMethod.Post, Prefix + "/namespaces/other/environments", Env("mismatch"));

    [Fact]
    public async Task Health_probes_need_no_token()
    {
        using var client = cp.ClientWithToken(null);
        (await client.Http.GetStringAsync("/healthz", TestContext.Current.CancellationToken)).ShouldBe("ok");
        (await client.Http.GetStringAsync("/readyz", TestContext.Current.CancellationToken)).ShouldBe("ok");
    }
}
