using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// Every bad input of issue 2 gets a precise 4xx — code, reason, message and the field path of each cause — and
/// leaves the store unchanged (every write after the revision read before the request is listed; none may appear). Bodies are sent
/// both as a create (POST) and as the declarative apply occ uses (PATCH application/apply-patch).
/// </summary>
public sealed class ApiBadInputTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private const string Prefix = "/apis/openchoreo.dev/v1alpha1";
    private const string NotCheckedNote = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    public enum Verb { Create, Apply }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Code, JsonObject Body, HttpResponseMessage Response)> Send(HttpMethod method, string path, string? body,
        string contentType = "application/yaml", string? token = "")
    {
        using var client = token == "" ? cp.Client() : cp.ClientWithToken(token);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        // Large bodies ask first, so a refusal (413) arrives before the body is sent.
        if (body?.Length > 64 * 1024) request.Headers.ExpectContinue = true;
        var response = await client.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject(), response);
    }

    /// <summary>Runs a request that must fail with a Status body of the given code and reason, and checks the store did not move.</summary>
    private async Task<JsonObject> ExpectFailure(HttpStatusCode expected, string reason, HttpMethod method, string path, string? body,
        string contentType = "application/yaml", string? token = "")
    {
        var before = await cp.Store.GetRevisionAsync(Ct);
        var (code, status, response) = await Send(method, path, body, contentType, token);
        using (response)
        {
            code.ShouldBe(expected, status.ToJsonString());
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        }
        ((string?)status["kind"]).ShouldBe("Status");
        ((string?)status["apiVersion"]).ShouldBe("v1");
        ((string?)status["status"]).ShouldBe("Failure");
        ((int)status["code"]!).ShouldBe((int)expected);
        ((string?)status["reason"]).ShouldBe(reason);
        (await StoreChanges.SinceAsync(cp.Store, before, Ct)).ShouldBeEmpty("the store must not change");
        return status;
    }

    /// <summary>Sends a body as a create of <paramref name="plural"/> or as an apply of <paramref name="plural"/>/<paramref name="name"/>.</summary>
    private Task<JsonObject> ExpectWriteFailure(Verb verb, HttpStatusCode expected, string reason, string plural, string name, string body,
        bool json = false, string ns = "default") =>
        verb == Verb.Create
            ? ExpectFailure(expected, reason, HttpMethod.Post, $"{Prefix}/namespaces/{ns}/{plural}", body, json ? "application/json" : "application/yaml")
            : ExpectFailure(expected, reason, HttpMethod.Patch, $"{Prefix}/namespaces/{ns}/{plural}/{name}", body,
                json ? "application/apply-patch+json" : "application/apply-patch+yaml");

    private static (string Field, string Reason, string Message)[] Causes(JsonObject status) =>
        status["details"]?["causes"] is JsonArray causes
            ? causes.Select(c => ((string)c!["field"]!, (string)c["reason"]!, (string)c["message"]!)).ToArray()
            : [];

    private static string Env(string name, string extra = "", string ns = "default") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Environment
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          dataPlaneRef: default
        {extra}
        """;

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Malformed_yaml_is_a_400_naming_the_position(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, HttpStatusCode.BadRequest, StatusReasons.BadRequest, "environments", "x",
            "apiVersion: openchoreo.dev/v1alpha1\nkind: Environment\nmetadata: name: x: y\n");
        ((string)status["message"]!).ShouldStartWith("the request body is not valid YAML: malformed YAML at line 3, column ");
        Causes(status).ShouldBeEmpty();
        (await cp.Store.GetAsync(new("Environment", "default", "x"), Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Malformed_json_is_a_400_naming_the_position(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, HttpStatusCode.BadRequest, StatusReasons.BadRequest, "environments", "x",
            "{\"apiVersion\": \"openchoreo.dev/v1alpha1\", \"kind\": ", json: true);
        ((string)status["message"]!).ShouldStartWith("the request body is not valid JSON: ");
        ((string)status["message"]!).ShouldContain("LineNumber: 0 | BytePositionInLine: ");
        Causes(status).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Unknown_kind_is_a_400_on_kind(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, HttpStatusCode.BadRequest, StatusReasons.BadRequest, "environments", "x",
            "apiVersion: openchoreo.dev/v1alpha1\nkind: Widget\nmetadata: {name: x, namespace: default}\n");
        ((string?)status["message"]).ShouldBe("no kind \"Widget\" is registered for version \"openchoreo.dev/v1alpha1\"");
        Causes(status).ShouldBe([("kind", CauseReasons.NotSupported, "unknown kind \"Widget\"")]);
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Unknown_api_version_is_a_400_on_apiVersion(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, HttpStatusCode.BadRequest, StatusReasons.BadRequest, "environments", "bad-version",
            Env("bad-version").Replace("openchoreo.dev/v1alpha1", "choreo.dev/v1alpha1"));
        ((string?)status["message"]).ShouldBe("no kind \"Environment\" is registered for version \"choreo.dev/v1alpha1\"; it is served as \"openchoreo.dev/v1alpha1\"");
        Causes(status).ShouldBe([("apiVersion", CauseReasons.NotSupported, "unsupported apiVersion \"choreo.dev/v1alpha1\"")]);
    }

    [Fact]
    public async Task Unknown_resource_in_the_url_is_a_404()
    {
        var status = await ExpectFailure(HttpStatusCode.NotFound, StatusReasons.NotFound, HttpMethod.Get, Prefix + "/namespaces/default/widgets", null);
        ((string?)status["message"]).ShouldBe("the server could not find the requested resource: \"widgets\" is not a resource of openchoreo.dev/v1alpha1");
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Missing_required_field_is_a_422_naming_the_field(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, (HttpStatusCode)422, StatusReasons.Invalid, "projects", "no-pipeline", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: no-pipeline, namespace: default}
            spec: {}
            """);
        ((string?)status["message"]).ShouldBe("Project \"no-pipeline\" is invalid: spec.deploymentPipelineRef: Required value");
        Causes(status).ShouldBe([("spec.deploymentPipelineRef", CauseReasons.Required, "Required value")]);
        ((string?)status["details"]!["kind"]).ShouldBe("Project");
        ((string?)status["details"]!["name"]).ShouldBe("no-pipeline");
        (await cp.Store.GetAsync(new("Project", "default", "no-pipeline"), Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData(Verb.Create, false)]
    [InlineData(Verb.Apply, false)]
    [InlineData(Verb.Create, true)]
    public async Task Wrong_type_is_a_422_naming_the_field(Verb verb, bool json)
    {
        var body = Env("wrong-type", "  isProduction: \"yes\"");
        if (json) body = YamlCodec.ReadOne(body)!.ToJsonString();
        var status = await ExpectWriteFailure(verb, (HttpStatusCode)422, StatusReasons.Invalid, "environments", "wrong-type", body, json);
        // As Kubernetes does, rules are skipped on a structurally invalid object, and the response says so.
        Causes(status).ShouldBe([
            ("spec.isProduction", CauseReasons.TypeInvalid, "Invalid value: \"string\": must be of type boolean"),
            ("", CauseReasons.Invalid, NotCheckedNote),
        ]);
        ((string?)status["message"]).ShouldBe(
            "Environment \"wrong-type\" is invalid: spec.isProduction: Invalid value: \"string\": must be of type boolean; " + NotCheckedNote);
    }

    private static string SecretRef(string data, string type = "Opaque") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: SecretReference
        metadata: {"{"}name: bad-ref, namespace: default{"}"}
        spec:
          data: {data}
          template: {"{"}type: {type}{"}"}
        """;

    /// <summary>Enum, minItems and minLength of the CRD schema, each refused on its own field path.</summary>
    [Theory]
    [InlineData("enum", "spec.template.type", CauseReasons.NotSupported, "Unsupported value: \"Bogus\": supported values: \"Opaque\", \"kubernetes.io/dockerconfigjson\", \"kubernetes.io/dockercfg\", \"kubernetes.io/basic-auth\", \"kubernetes.io/ssh-auth\", \"kubernetes.io/tls\", \"bootstrap.kubernetes.io/token\"")]
    [InlineData("minItems", "spec.data", CauseReasons.Invalid, "Invalid value: 0: should have at least 1 items")]
    [InlineData("minLength", "spec.data[0].secretKey", CauseReasons.Invalid, "Invalid value: \"\": should be at least 1 chars long")]
    public async Task Schema_constraints_are_a_422_on_their_field(string constraint, string field, string reason, string message)
    {
        var body = constraint switch
        {
            "enum" => SecretRef("[{secretKey: k, remoteRef: {key: a}}]", "Bogus"),
            "minItems" => SecretRef("[]"),
            _ => SecretRef("[{secretKey: \"\", remoteRef: {key: a}}]"),
        };
        var status = await ExpectWriteFailure(Verb.Create, (HttpStatusCode)422, StatusReasons.Invalid, "secretreferences", "bad-ref", body);
        Causes(status).Where(c => c.Message != NotCheckedNote).ShouldBe([(field, reason, message)]);
    }

    [Theory]
    [InlineData(Verb.Create, "Upper-Case")]
    [InlineData(Verb.Create, "under_score")]
    [InlineData(Verb.Create, "-leading-dash")]
    [InlineData(Verb.Apply, "trailing-")]
    [InlineData(Verb.Apply, "dot..dot")]
    public async Task Invalid_name_is_a_422_on_metadata_name(Verb verb, string name)
    {
        var status = await ExpectWriteFailure(verb, (HttpStatusCode)422, StatusReasons.Invalid, "environments", name, Env(name));
        // Names are DNS-1123 subdomains, as Kubernetes requires of custom resources.
        var dns1123 = $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
        Causes(status).ShouldBe([("metadata.name", CauseReasons.Invalid, dns1123)]);
        ((string?)status["message"]).ShouldBe($"Environment \"{name}\" is invalid: metadata.name: {dns1123}");
    }

    public static TheoryData<Verb, string, string, string, string, string> ImmutableFields() => new()
    {
        { Verb.Create, "Component", "components", "spec.componentType", "deployment/web-application",
            "spec.componentType|Invalid value: \"string\": spec.componentType cannot be changed after creation" },
        { Verb.Apply, "Component", "components", "spec.componentType", "deployment/web-application",
            "spec.componentType|Invalid value: \"string\": spec.componentType cannot be changed after creation" },
        { Verb.Create, "Environment", "environments", "spec.dataPlaneRef", "other",
            "spec|Invalid value: \"object\": dataPlaneRef is immutable once set" },
        { Verb.Apply, "Environment", "environments", "spec.dataPlaneRef", "other",
            "spec|Invalid value: \"object\": dataPlaneRef is immutable once set" },
        { Verb.Create, "ReleaseBinding", "releasebindings", "spec.environment", "production",
            "spec.environment|Invalid value: \"string\": spec.environment is immutable" },
        { Verb.Apply, "ReleaseBinding", "releasebindings", "spec.environment", "production",
            "spec.environment|Invalid value: \"string\": spec.environment is immutable" },
    };

    /// <summary>
    /// The three <c>self == oldSelf</c> rules of the CRDs, through a replace (PUT, here under <see cref="Verb.Create"/>:
    /// the object is created first) and through an apply. The stored field keeps its value.
    /// </summary>
    [Theory]
    [MemberData(nameof(ImmutableFields))]
    public async Task Changing_an_immutable_field_is_a_422(Verb verb, string kindName, string plural, string fieldPath, string newValue, string expected)
    {
        using var client = cp.Client();
        var kind = KindRegistry.Default.FindByKind(kindName)!;
        var name = $"immutable-{plural}-{verb}".ToLowerInvariant();
        var spec = kindName switch
        {
            "Component" => "owner: {projectName: default}\n  componentType: deployment/service",
            "Environment" => "dataPlaneRef: default",
            _ => "owner: {projectName: default, componentName: greeter}\n  environment: development",
        };
        var original = new ResourceObject(YamlCodec.ReadOne($"""
            apiVersion: openchoreo.dev/v1alpha1
            kind: {kindName}
            metadata: {"{"}name: {name}, namespace: default{"}"}
            spec:
              {spec}
            """)!.AsObject());
        var (created, _) = await client.ApplyAsync(kind, original.DeepClone(), Ct);
        var changed = (verb == Verb.Create ? created : original).DeepClone();
        var field = fieldPath.Split('.')[1];
        changed.Node["spec"]![field] = newValue;
        var status = verb == Verb.Create
            ? await ExpectFailure((HttpStatusCode)422, StatusReasons.Invalid, HttpMethod.Put, $"{Prefix}/namespaces/default/{plural}/{name}", changed.ToJson(), "application/json")
            : await ExpectWriteFailure(Verb.Apply, (HttpStatusCode)422, StatusReasons.Invalid, plural, name, changed.ToJson(), json: true);
        var (causeField, message) = (expected.Split('|')[0], expected.Split('|')[1]);
        Causes(status).ShouldBe([(causeField, CauseReasons.Invalid, message)]);
        ((string?)status["message"]).ShouldBe($"{kindName} \"{name}\" is invalid: {causeField}: {message}");
        var stored = await client.GetAsync(kind, "default", name, Ct);
        stored.ResourceVersion.ShouldBe(created.ResourceVersion);
        ((string?)stored.Spec![field]).ShouldBe((string?)created.Spec![field]);
    }

    [Fact]
    public async Task Stale_resource_version_is_a_409()
    {
        using var client = cp.Client();
        var kind = KindRegistry.Default.FindByKind("Environment")!;
        var (env, _) = await client.ApplyAsync(kind, new ResourceObject(YamlCodec.ReadOne(Env("stale"))!.AsObject()), Ct);
        var stale = env.DeepClone();
        env.SetLabel("touched", "yes");
        await client.UpdateAsync(kind, env, Ct);
        stale.SetLabel("touched", "no");
        var status = await ExpectFailure(HttpStatusCode.Conflict, StatusReasons.Conflict, HttpMethod.Put, Prefix + "/namespaces/default/environments/stale",
            stale.ToJson(), "application/json");
        ((string?)status["message"]).ShouldBe(
            "Operation cannot be fulfilled on Environment \"stale\": the object has been modified; please apply your changes to the latest version and try again");
        (await client.GetAsync(kind, "default", "stale", Ct)).Labels["touched"].ShouldBe("yes");
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Body_over_the_size_limit_is_a_413(Verb verb)
    {
        var huge = Env("huge") + "\n  # " + new string('x', 3 * 1024 * 1024 + 10);
        var status = await ExpectWriteFailure(verb, HttpStatusCode.RequestEntityTooLarge, StatusReasons.RequestEntityTooLarge, "environments", "huge", huge);
        ((string?)status["message"]).ShouldBe("the request body is larger than the limit of 3145728 bytes");
        (await cp.Store.GetAsync(new("Environment", "default", "huge"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Missing_token_is_a_401_with_a_bearer_challenge()
    {
        var status = await ExpectFailure(HttpStatusCode.Unauthorized, StatusReasons.Unauthorized, HttpMethod.Post, Prefix + "/namespaces/default/environments",
            Env("anon"), token: null);
        ((string?)status["message"]).ShouldBe("Unauthorized: a bearer token is required");
        using var client = cp.ClientWithToken(null);
        using var response = await client.Http.GetAsync(Prefix + "/namespaces/default/environments", Ct);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer realm=\"openchoreo\"");
        (await cp.Store.GetAsync(new("Environment", "default", "anon"), Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("garbage")]
    [InlineData("basic")]
    public async Task Wrong_token_is_a_401(string which)
    {
        var real = cp.Context.Token!;
        var token = which switch
        {
            "forged" => real[..^4] + (real.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
            "garbage" => "garbage",
            _ => real,
        };
        var before = await cp.Store.GetRevisionAsync(Ct);
        using var client = cp.ClientWithToken(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, Prefix + "/namespaces/default/environments")
        {
            Content = new StringContent(Env("wrong-token"), Encoding.UTF8, "application/yaml"),
        };
        // The right token under another scheme is no bearer token either.
        request.Headers.TryAddWithoutValidation("Authorization", which == "basic" ? "Basic " + token : "Bearer " + token);
        using var response = await client.Http.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        ((string?)status["reason"]).ShouldBe(StatusReasons.Unauthorized);
        ((string?)status["message"]).ShouldBe("Unauthorized: the bearer token is not valid");
        (await StoreChanges.SinceAsync(cp.Store, before, Ct)).ShouldBeEmpty("the store must not change");
    }

    [Theory]
    [InlineData(Verb.Create)]
    [InlineData(Verb.Apply)]
    public async Task Missing_namespace_is_a_404_naming_the_organization(Verb verb)
    {
        var status = await ExpectWriteFailure(verb, HttpStatusCode.NotFound, StatusReasons.NotFound, "environments", "orphan",
            Env("orphan", ns: "nowhere"), ns: "nowhere");
        ((string?)status["message"]).ShouldBe("namespace \"nowhere\" not found: create Organization \"nowhere\" first (an organization is the namespace of its resources)");
        ((string?)status["details"]!["kind"]).ShouldBe("Organization");
        ((string?)status["details"]!["name"]).ShouldBe("nowhere");
        (await cp.Store.GetAsync(new("Organization", "", "nowhere"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_namespace_on_an_organization_is_a_422()
    {
        var status = await ExpectFailure((HttpStatusCode)422, StatusReasons.Invalid, HttpMethod.Post, Prefix + "/organizations", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata: {name: scoped, namespace: default}
            """);
        Causes(status).ShouldBe([("metadata.namespace", CauseReasons.Forbidden, "not allowed on this type: Organization is cluster-scoped")]);
    }

    [Fact]
    public async Task Namespace_mismatch_between_url_and_body_is_a_400()
    {
        var status = await ExpectFailure(HttpStatusCode.BadRequest, StatusReasons.BadRequest, HttpMethod.Post, Prefix + "/namespaces/other/environments", Env("mismatch"));
        ((string?)status["message"]).ShouldBe("the namespace of the object (default) does not match the namespace of the URL (other)");
    }

    [Fact]
    public async Task Health_probes_need_no_token()
    {
        using var client = cp.ClientWithToken(null);
        (await client.Http.GetStringAsync("/healthz", Ct)).ShouldBe("ok");
        (await client.Http.GetStringAsync("/readyz", Ct)).ShouldBe("ok");
    }
}
