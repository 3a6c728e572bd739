using Microsoft.Extensions.Logging;
using System.Net;
using System.Text.Json.Nodes;
using OpenChoreo.Runtime.Podman;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Ingress.Tests;

/// <summary>
/// The data plane without the control plane: a release shaped like the 'service' component type's output (Deployment,
/// Service, HTTPRoute with URLRewrite) applied to the real podman runtime, reached through the real gateway on 127.0.0.1.
/// </summary>
public sealed class PodmanEndToEndTests
{
    internal const string Host = "development." + Harness.Apps;
    private const string Script = "mkdir -p /www && echo \"$BODY\" > /www/index.html && exec /bin/busybox httpd -f -p 8080 -h /www";

    [Fact]
    public async Task A_released_service_answers_through_the_gateway_on_its_route_and_stops_when_deleted()
    {
        if (!PodmanTestPlane.Available) Assert.Skip(PodmanTestPlane.SkipReason);
        var ct = TestContext.Current.CancellationToken;
        var (dir, plane, options) = await PodmanTestPlane.CreateAsync("ingress-e2e", TimeSpan.FromMilliseconds(200), ct);
        var logs = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var runtime = await PodmanReleaseRuntime.StartAsync(options, loggers.CreateLogger<PodmanReleaseRuntime>(), ct: ct);
        try
        {
            await using var gateway = await IngressGateway.StartAsync(
                new IngressOptions { HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), HttpsEndpoint = null, AccessLog = false }, runtime, null, ct: ct);
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, c) =>
                {
                    var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    await s.ConnectAsync(gateway.HttpEndpoint!, c);
                    return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
                },
            }) { Timeout = TimeSpan.FromSeconds(10) };
            var ns = "dp-default-demo-development-" + plane[^6..];

            await runtime.ApplyAsync(new ApplyReleaseRequest { Name = "greeter-development", Generation = 1, Checksum = "c1", Resources = Release(ns, options.ForwarderImage) }, ct);

            string? body = null;
            string last = "";
            string Describe() => string.Join("; ", runtime.GetResourceStatus("greeter-development")?.Select(x => $"{x.Kind}/{x.Name}={x.Health} {x.Message}") ?? ["not held"])
                + " | routes: " + string.Join(",", runtime.Routes.SelectMany(r => r.Rules.SelectMany(u => u.Backends.Select(b => $"{b.Service}:{b.Port}->{b.Endpoint} [{string.Join(" ", b.Replicas ?? [])}]"))))
                + " | last: " + last + " | logs: " + string.Join(" / ", logs.Messages.TakeLast(8));
            try
            {
            await Eventually.WaitUntilAsync(() =>
            {
                try
                {
                    using var r = client.GetAsync($"http://{Host}/greeter/", ct).GetAwaiter().GetResult();
                    last = $"{(int)r.StatusCode} {r.Content.ReadAsStringAsync(ct).GetAwaiter().GetResult()}";
                    body = r.IsSuccessStatusCode ? r.Content.ReadAsStringAsync(ct).GetAwaiter().GetResult() : null;
                }
                catch (HttpRequestException e) { last = e.Message; }
                return body is not null;
            }, "the greeter answered through the gateway", TimeSpan.FromSeconds(60), ct);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + " " + Describe());
            }
            body.ShouldBe("hello from greeter\n");
            runtime.Routes.Single().Rules.ShouldAllBe(r => r.Backends.Single().Replicas!.Count == 2);
            (await client.GetAsync($"http://{Host}/other/", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            using (var canary = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/canary") { Headers = { { "X-Track", "canary" } } })
                (await (await client.SendAsync(canary, ct)).Content.ReadAsStringAsync(ct)).ShouldBe("hello from greeter\n");
            (await client.GetAsync($"http://{Host}/canary", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.PostAsync($"http://{Host}/canary", null, ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

            await runtime.DeleteAsync("greeter-development", ct);
            await Eventually.WaitUntilAsync(() => runtime.Routes.Count == 0, "the route was removed", cancellationToken: ct);
            await Eventually.WaitUntilAsync(() =>
                client.GetAsync($"http://{Host}/greeter/", ct).GetAwaiter().GetResult().StatusCode == HttpStatusCode.NotFound,
                "the gateway stopped serving the host", cancellationToken: ct);
        }
        finally
        {
            // A failed run must not leave containers or networks behind (delete is idempotent).
            await runtime.DeleteAsync("greeter-development", CancellationToken.None);
            await runtime.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The 'service' component type's output for the greeter: 2 replicas, a Service 80 → 8080, an HTTPRoute.</summary>
    internal static JsonArray Release(string ns, string image, string body = "hello from greeter")
    {
        var labels = new JsonObject { ["openchoreo.dev/component"] = "greeter", ["openchoreo.dev/environment"] = "development" };
        return
        [
            new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
                ["metadata"] = new JsonObject { ["name"] = "greeter", ["namespace"] = ns, ["labels"] = labels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 2,
                    ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "greeter" } },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "greeter" } },
                        ["spec"] = new JsonObject
                        {
                            ["containers"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "main", ["image"] = image,
                                ["command"] = new JsonArray("/bin/busybox", "sh", "-c", Script),
                                ["env"] = new JsonArray(new JsonObject { ["name"] = "BODY", ["value"] = body }),
                                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 8080 }),
                                ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/", ["port"] = "http" }, ["periodSeconds"] = 1 },
                            }),
                        },
                    },
                },
            },
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = "greeter", ["namespace"] = ns, ["labels"] = labels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["selector"] = new JsonObject { ["app"] = "greeter" },
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = 8080 }),
                },
            },
            new JsonObject
            {
                ["apiVersion"] = "gateway.networking.k8s.io/v1", ["kind"] = "HTTPRoute",
                ["metadata"] = new JsonObject { ["name"] = "greeter", ["namespace"] = ns, ["labels"] = labels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["hostnames"] = new JsonArray(Host),
                    ["rules"] = new JsonArray(
                    new JsonObject
                    {
                        // Headers, method and ReplaceFullPath as the runtime reads them from the HTTPRoute.
                        ["matches"] = new JsonArray(new JsonObject
                        {
                            ["path"] = new JsonObject { ["type"] = "Exact", ["value"] = "/canary" },
                            ["headers"] = new JsonArray(new JsonObject { ["name"] = "X-Track", ["value"] = "canary" }),
                            ["method"] = "GET",
                        }),
                        ["filters"] = new JsonArray(new JsonObject
                        {
                            ["type"] = "URLRewrite",
                            ["urlRewrite"] = new JsonObject { ["path"] = new JsonObject { ["type"] = "ReplaceFullPath", ["replaceFullPath"] = "/index.html" } },
                        }),
                        ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = "greeter", ["port"] = 80 }),
                    },
                    new JsonObject
                    {
                        ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/greeter" } }),
                        ["filters"] = new JsonArray(new JsonObject
                        {
                            ["type"] = "URLRewrite",
                            ["urlRewrite"] = new JsonObject { ["path"] = new JsonObject { ["type"] = "ReplacePrefixMatch", ["replacePrefixMatch"] = "/" } },
                        }),
                        ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = "greeter", ["port"] = 80 }),
                    }),
                },
            },
        ];
    }
}
