using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Auth;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>The HTTP contract of the resource API: bodies in JSON and YAML, the status subresource, authentication.</summary>
public sealed class ApiProtocolTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private const string Prefix = "/apis/openchoreo.dev/v1alpha1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ResourceKind K(string kind) => KindRegistry.Default.FindByKind(kind)!;

    private async Task<(HttpStatusCode Code, string? MediaType, string Body)> Send(HttpMethod method, string path, string? body, string contentType, string accept)
    {
        using var client = cp.Client();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await client.Http.SendAsync(request, Ct);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Yaml_and_json_bodies_are_accepted_and_answers_follow_the_accept_header()
    {
        // Create from YAML, answer in YAML.
        var (code, media, text) = await Send(HttpMethod.Post, Prefix + "/namespaces/default/projects", """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: codec, namespace: default}
            spec: {deploymentPipelineRef: default}
            """, "application/yaml", "application/yaml");
        code.ShouldBe(HttpStatusCode.Created, text);
        media.ShouldBe("application/yaml");
        var created = new ResourceObject(YamlCodec.ReadOne(text)!.AsObject());
        created.Name.ShouldBe("codec");
        created.Generation.ShouldBe(1);

        // Replace from JSON, answer in JSON.
        created.Spec!["deploymentPipelineRef"] = "other";
        (code, media, text) = await Send(HttpMethod.Put, Prefix + "/namespaces/default/projects/codec", created.ToJson(), "application/json", "application/json");
        code.ShouldBe(HttpStatusCode.OK, text);
        media.ShouldBe("application/json");
        var replaced = new ResourceObject(JsonNode.Parse(text)!.AsObject());
        ((string?)replaced.Spec!["deploymentPipelineRef"]).ShouldBe("other");
        replaced.Generation.ShouldBe(2);

        // Lists and single objects read the same in both encodings.
        var (_, _, yamlList) = await Send(HttpMethod.Get, Prefix + "/namespaces/default/projects", null, "application/json", "application/yaml");
        var (_, _, jsonList) = await Send(HttpMethod.Get, Prefix + "/namespaces/default/projects", null, "application/json", "application/json");
        JsonNode.DeepEquals(YamlCodec.ReadOne(yamlList), JsonNode.Parse(jsonList)).ShouldBeTrue();
        ((string?)JsonNode.Parse(jsonList)!["kind"]).ShouldBe("ProjectList");
    }

    [Fact]
    public async Task Schema_defaults_are_filled_in_on_create()
    {
        using var client = cp.Client();
        var (created, _) = await client.ApplyAsync(K("SecretReference"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: SecretReference
            metadata: {name: defaulted, namespace: default}
            spec:
              data: [{secretKey: token, remoteRef: {key: secret/github}}]
              template: {}
            """)!.AsObject()), Ct);
        ((string?)created.Spec!["refreshInterval"]).ShouldBe("1h");
        ((string?)created.Spec["template"]!["type"]).ShouldBe("Opaque");
        var read = await client.GetAsync(K("SecretReference"), "default", "defaulted", Ct);
        JsonNode.DeepEquals(read.Spec, created.Spec).ShouldBeTrue();
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_spec_writes_keep_it()
    {
        using var client = cp.Client();
        var (created, _) = await client.ApplyAsync(K("Project"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: with-status, namespace: default}
            spec: {deploymentPipelineRef: default}
            status: {observedGeneration: 7}
            """)!.AsObject()), Ct);
        created.Status.ShouldBeNull("status is written only through the status subresource");

        var statusWrite = created.DeepClone();
        statusWrite.Node["status"] = new JsonObject { ["observedGeneration"] = 1, ["conditions"] = new JsonArray() };
        statusWrite.Spec!["deploymentPipelineRef"] = "ignored";
        var afterStatus = await client.UpdateStatusAsync(K("Project"), statusWrite, Ct);
        ((int)afterStatus.Status!["observedGeneration"]!).ShouldBe(1);
        ((string?)afterStatus.Spec!["deploymentPipelineRef"]).ShouldBe("default");
        afterStatus.Generation.ShouldBe(1, "a status write does not bump generation");

        var specWrite = afterStatus.DeepClone();
        specWrite.Node["status"] = new JsonObject { ["observedGeneration"] = 99 };
        specWrite.Spec!["deploymentPipelineRef"] = "other";
        var afterSpec = await client.UpdateAsync(K("Project"), specWrite, Ct);
        ((int)afterSpec.Status!["observedGeneration"]!).ShouldBe(1, "a spec write keeps the stored status");
        afterSpec.Generation.ShouldBe(2);

        var labelWrite = afterSpec.DeepClone();
        labelWrite.SetLabel("team", "a");
        (await client.UpdateAsync(K("Project"), labelWrite, Ct)).Generation.ShouldBe(2, "metadata changes do not bump generation");

        var viaStatusRoute = await client.GetJsonAsync(Prefix + "/namespaces/default/projects/with-status/status", Ct);
        ((int)viaStatusRoute["status"]!["observedGeneration"]!).ShouldBe(1);
    }

    [Fact]
    public async Task Finalizers_hold_a_deleted_object_with_a_deletion_timestamp()
    {
        using var client = cp.Client();
        var (created, _) = await client.ApplyAsync(K("Trait"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: held, namespace: default, finalizers: [example.com/hold]}
            spec: {}
            """)!.AsObject()), Ct);
        using var response = await client.Http.DeleteAsync(Prefix + "/namespaces/default/traits/held", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var held = await client.GetAsync(K("Trait"), "default", "held", Ct);
        held.DeletionTimestamp.ShouldNotBeNull();
        held.Uid.ShouldBe(created.Uid);
        held.SetFinalizers([]);
        await client.UpdateAsync(K("Trait"), held, Ct);
        (await client.TryGetAsync(K("Trait"), "default", "held", Ct)).ShouldBeNull();
    }

    /// <summary>Routes that answer without a bearer token; each is here for a reason given beside it.</summary>
    private static readonly string[] AnonymousRoutes =
    [
        "GET /healthz", "GET /livez", "GET /readyz", // probes
        "GET /api/v1/agent/trust-bundle", // the public CA certificate agents pin during enrollment
        "POST /api/v1/agent/enroll", // authenticated by the single-use join token in its body
    ];

    /// <summary>Every route the server maps, with its parameters filled in, refuses a request without a token.</summary>
    [Fact]
    public async Task Every_route_but_the_documented_anonymous_ones_needs_a_token()
    {
        var endpoints = cp.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        var anonymous = new List<string>();
        var checkedRoutes = 0;
        using var client = cp.ClientWithToken(null);
        foreach (var e in endpoints)
        {
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                var route = $"{method} {e.RoutePattern.RawText}";
                if (e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
                {
                    anonymous.Add(route);
                    continue;
                }
                var before = await cp.Store.GetRevisionAsync(Ct);
                using var request = new HttpRequestMessage(new HttpMethod(method), Fill(e.RoutePattern));
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Project\",\"metadata\":{\"name\":\"anon\"}}",
                        Encoding.UTF8, method == "PATCH" ? "application/apply-patch+json" : "application/json");
                }
                using var response = await client.Http.SendAsync(request, Ct);
                response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, route);
                var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
                ((string?)status["message"]).ShouldBe("Unauthorized: a bearer token is required", route);
                (await StoreChanges.SinceAsync(cp.Store, before, Ct)).ShouldBeEmpty(route);
                checkedRoutes++;
            }
        }
        anonymous.Order().ShouldBe(AnonymousRoutes.Order());
        checkedRoutes.ShouldBeGreaterThan(20);

        // A path no route matches is refused before anything says it does not exist.
        using var unknown = await client.Http.GetAsync("/no/such/route", Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static string Fill(RoutePattern pattern)
    {
        var values = new Dictionary<string, string>
        {
            ["ns"] = "default", ["plural"] = "projects", ["name"] = "anon", ["planeType"] = "dataplane",
        };
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart l => l.Content,
                    RoutePatternParameterPart p => values.GetValueOrDefault(p.Name, "x"),
                    RoutePatternSeparatorPart s => s.Content,
                    _ => "",
                });
            }
        }
        return path.ToString();
    }

    [Fact]
    public async Task The_admin_token_is_stored_only_as_its_hash_and_the_cli_config_holds_it_privately()
    {
        var token = cp.Context.Token.ShouldNotBeNull();
        token.ShouldStartWith("occ_");

        // The store keeps one admin token object with the SHA-256 of the token, not the token.
        var tokens = await cp.Store.ListAsync(new ListOptions(ApiTokens.Kind), Ct);
        var admin = tokens.Items.ShouldHaveSingleItem();
        ((string?)admin.Spec!["user"]).ShouldBe("admin");
        ((string?)admin.Spec["sha256"]).ShouldBe(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        admin.ToJson().ShouldNotContain(token[^20..]);

        // Nothing in the data directory but the CLI configuration holds the secret part (store files, WAL, keys, logs).
        var secret = Encoding.UTF8.GetBytes(token[(token.LastIndexOf('_') + 1)..]);
        var holders = Directory.EnumerateFiles(cp.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(secret) >= 0)
            .Select(f => Path.GetRelativePath(cp.DataDir, f)).ToArray();
        holders.ShouldBe(["occ-config"]);
        File.GetUnixFileMode(cp.CliConfigPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        cp.Context.Server.ShouldStartWith("https://127.0.0.1:");
        cp.Context.CertificateAuthority.ShouldNotBeNullOrEmpty();

        // And the token it holds works.
        using var client = cp.Client();
        (await client.GetJsonAsync("/version", Ct))["apiVersion"]!.GetValue<string>().ShouldBe("openchoreo.dev/v1alpha1");
    }
}
