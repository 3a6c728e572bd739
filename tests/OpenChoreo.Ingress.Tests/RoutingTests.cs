using System.Net;
using OpenChoreo.Runtime.Podman;
using static OpenChoreo.Ingress.Tests.Harness;

namespace OpenChoreo.Ingress.Tests;

/// <summary>HTTPRoute matching through the real YARP pipeline to real Kestrel backends.</summary>
public sealed class RoutingTests
{
    private const string WebHost = "greeter-development." + Apps;
    private const string ServiceHost = "development." + Apps;

    [Fact]
    public async Task Host_match_reaches_the_backend_with_the_original_host_and_forwarded_headers()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        using var client = h.Client();

        var (status, echo, _) = await client.GetEchoAsync($"http://{WebHost}/hello?name=x", ("X-Forwarded-For", "6.6.6.6"));

        status.ShouldBe(HttpStatusCode.OK);
        echo["backend"].ShouldBe("a");
        echo["path"].ShouldBe("/hello");
        echo["query"].ShouldBe("?name=x");
        echo["host"].ShouldBe(WebHost);
        echo["x-forwarded-proto"].ShouldBe("http");
        echo["x-forwarded-host"].ShouldBe(WebHost);
        echo["x-forwarded-for"].ShouldBe("127.0.0.1"); // the client's own value is replaced, not trusted
    }

    [Fact]
    public async Task Path_prefix_matches_whole_segments_and_exact_matches_only_the_path()
    {
        await using var h = await StartAsync();
        await using var api = await HttpBackend.StartAsync("api");
        await using var health = await HttpBackend.StartAsync("health");
        await using var rest = await HttpBackend.StartAsync("rest");
        await h.SetRoutesAsync(Route("shop", [WebHost],
            Rule([Prefix("/api/")], api),
            Rule([Exact("/healthz")], health),
            Rule([Prefix("/")], rest)));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/api")).Echo["backend"].ShouldBe("api");
        (await client.GetEchoAsync($"http://{WebHost}/api/orders/1")).Echo["backend"].ShouldBe("api");
        (await client.GetEchoAsync($"http://{WebHost}/apis")).Echo["backend"].ShouldBe("rest");
        (await client.GetEchoAsync($"http://{WebHost}/healthz")).Echo["backend"].ShouldBe("health");
        (await client.GetEchoAsync($"http://{WebHost}/healthz/deep")).Echo["backend"].ShouldBe("rest");
        (await client.GetEchoAsync($"http://{WebHost}/")).Echo["backend"].ShouldBe("rest");
    }

    [Fact]
    public async Task Longest_prefix_wins_and_a_path_no_rule_matches_is_a_404_naming_the_host()
    {
        await using var h = await StartAsync();
        await using var shortB = await HttpBackend.StartAsync("short");
        await using var longB = await HttpBackend.StartAsync("long");
        await h.SetRoutesAsync(Route("shop", [WebHost], Rule([Prefix("/a")], shortB), Rule([Prefix("/a/b")], longB)));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/a/b/c")).Echo["backend"].ShouldBe("long");
        (await client.GetEchoAsync($"http://{WebHost}/a/c")).Echo["backend"].ShouldBe("short");
        var (status, _, body) = await client.GetEchoAsync($"http://{WebHost}/other");
        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldBe($"404 Not Found: host '{WebHost}' is served by this gateway, but none of its routes matches GET /other.\n");
    }

    [Fact]
    public async Task Replace_prefix_match_rewrites_the_service_path_form()
    {
        await using var h = await StartAsync();
        await using var greeter = await HttpBackend.StartAsync("greeter");
        await using var v2 = await HttpBackend.StartAsync("v2");
        await h.SetRoutesAsync(
            Route("greeter", [ServiceHost], new RouteRule([Prefix("/greeter")], [new RouteBackend("greeter", 80, 1, null, [greeter.EndPoint])], new RouteRewrite(null, "ReplacePrefixMatch", "/"))),
            Route("legacy", [ServiceHost], new RouteRule([Prefix("/old/")], [new RouteBackend("v2", 80, 1, null, [v2.EndPoint])], new RouteRewrite("internal.example", "ReplacePrefixMatch", "/v2"))));
        using var client = h.Client();

        var hi = await client.GetEchoAsync($"http://{ServiceHost}/greeter/hi?x=1");
        hi.Echo["backend"].ShouldBe("greeter");
        hi.Echo["path"].ShouldBe("/hi");
        hi.Echo["query"].ShouldBe("?x=1");
        (await client.GetEchoAsync($"http://{ServiceHost}/greeter")).Echo["path"].ShouldBe("/");
        (await client.GetEchoAsync($"http://{ServiceHost}/greeterx")).Status.ShouldBe(HttpStatusCode.NotFound);
        var old = await client.GetEchoAsync($"http://{ServiceHost}/old/items/7");
        old.Echo["backend"].ShouldBe("v2");
        old.Echo["path"].ShouldBe("/v2/items/7");
        old.Echo["host"].ShouldBe("internal.example");
    }

    [Fact]
    public async Task Header_and_method_matches_select_their_rule_and_fall_back_otherwise()
    {
        await using var h = await StartAsync();
        await using var stable = await HttpBackend.StartAsync("stable");
        await using var canary = await HttpBackend.StartAsync("canary");
        await using var writer = await HttpBackend.StartAsync("writer");
        await h.SetRoutesAsync(Route("app", [WebHost],
            Rule([Prefix("/")], stable),
            Rule([new RoutePathMatch("PathPrefix", "/", [new RouteHeaderMatch("X-Canary", "yes")])], canary),
            Rule([new RoutePathMatch("PathPrefix", "/", Method: "POST")], writer)));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/x")).Echo["backend"].ShouldBe("stable");
        (await client.GetEchoAsync($"http://{WebHost}/x", ("x-canary", "yes"))).Echo["backend"].ShouldBe("canary");
        (await client.GetEchoAsync($"http://{WebHost}/x", ("X-Canary", "YES"))).Echo["backend"].ShouldBe("stable"); // values match exactly
        var post = await client.SendEchoAsync(HttpMethod.Post, $"http://{WebHost}/x", new StringContent("hi"));
        post.Echo["backend"].ShouldBe("writer");
        post.Echo["method"].ShouldBe("POST");
        post.Echo["body-bytes"].ShouldBe("2");
    }

    [Fact]
    public async Task A_method_no_rule_accepts_is_a_404_not_a_405()
    {
        await using var h = await StartAsync();
        await using var writer = await HttpBackend.StartAsync("writer");
        await h.SetRoutesAsync(Route("app", [WebHost], Rule([new RoutePathMatch("Exact", "/orders", Method: "POST")], writer)));
        using var client = h.Client();

        var (status, _, body) = await client.GetEchoAsync($"http://{WebHost}/orders");

        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldBe($"404 Not Found: host '{WebHost}' is served by this gateway, but none of its routes matches GET /orders.\n");
        writer.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Traffic_spreads_over_the_ready_replicas_only()
    {
        await using var h = await StartAsync();
        await using var r1 = await HttpBackend.StartAsync("r1");
        await using var r2 = await HttpBackend.StartAsync("r2");
        await using var r3 = await HttpBackend.StartAsync("r3");
        await h.SetRoutesAsync(Route("app", [WebHost], Rule([], r1, r2)));
        using var client = h.Client();

        for (var i = 0; i < 20; i++) (await client.GetEchoAsync($"http://{WebHost}/")).Status.ShouldBe(HttpStatusCode.OK);
        r1.Requests.ShouldBe(10);
        r2.Requests.ShouldBe(10);
        r3.Requests.ShouldBe(0);

        // r3 became ready, r1 left: the next requests follow without a restart.
        await h.SetRoutesAsync(Route("app", [WebHost], Rule([], r2, r3)));
        for (var i = 0; i < 10; i++) (await client.GetEchoAsync($"http://{WebHost}/")).Status.ShouldBe(HttpStatusCode.OK);
        r1.Requests.ShouldBe(10);
        r3.Requests.ShouldBe(5);
    }

    [Fact]
    public async Task A_replica_that_refuses_connections_is_taken_out_by_passive_health_checks()
    {
        await using var h = await StartAsync();
        await using var live = await HttpBackend.StartAsync("live");
        var dead = new IPEndPoint(IPAddress.Loopback, FreePort());
        await h.SetRoutesAsync(Route("app", [WebHost], new RouteRule([], [new RouteBackend("svc", 80, 1, null, [live.EndPoint, dead])])));
        using var client = h.Client();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++) statuses.Add((await client.GetEchoAsync($"http://{WebHost}/")).Status);

        statuses.ShouldContain(HttpStatusCode.BadGateway); // the dead replica was tried...
        statuses.TakeLast(15).ShouldAllBe(s => s == HttpStatusCode.OK); // ...then left out
    }

    [Fact]
    public async Task A_removed_route_stops_being_served_and_the_host_becomes_unknown()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)), Route("other", ["other-development." + Apps], Rule([], a)));
        using var client = h.Client();
        (await client.GetEchoAsync($"http://{WebHost}/")).Status.ShouldBe(HttpStatusCode.OK);

        await h.SetRoutesAsync(Route("other", ["other-development." + Apps], Rule([], a)));

        var (status, _, body) = await client.GetEchoAsync($"http://{WebHost}/");
        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldStartWith($"404 Not Found: no application is served at host '{WebHost}'.");
        (await client.GetEchoAsync($"http://other-development.{Apps}/")).Status.ShouldBe(HttpStatusCode.OK);
        a.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task An_unknown_host_gets_a_404_that_explains_the_url_patterns()
    {
        await using var h = await StartAsync();
        using var client = h.Client();

        var (status, _, body) = await client.GetEchoAsync($"http://nothing-here.{Apps}/x");

        status.ShouldBe(HttpStatusCode.NotFound);
        var port = h.Gateway.HttpEndpoint!.Port;
        body.ShouldBe($"""
            404 Not Found: no application is served at host 'nothing-here.{Apps}'.
            This is the OpenChoreo ingress gateway for *.{Apps}. Deployed components are reachable at
              http://<component>-<environment>.{Apps}:{port}/         (web applications)
              http://<environment>.{Apps}:{port}/<component>/      (services)
            Check the component's endpoints with: occ get releasebindings -A

            """);
    }

    [Fact]
    public async Task A_rule_without_ready_replicas_answers_503_until_one_is_ready()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("greeter", [WebHost], new RouteRule([], [new RouteBackend("svc", 80, 1, null, [])])));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/")).Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        await h.SetRoutesAsync(Route("greeter", [WebHost], Rule([], a)));
        (await client.GetEchoAsync($"http://{WebHost}/")).Status.ShouldBe(HttpStatusCode.OK);
    }

    internal static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
