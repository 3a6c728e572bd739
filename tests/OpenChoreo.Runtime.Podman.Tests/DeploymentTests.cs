using System.Net;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman.Tests;

public sealed class DeploymentTests(PodmanFixture podman)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deployment_answers_200_through_its_service_port_then_scales_to_three()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("dep"), ct: Ct);
        var ns = "cell-dep";
        (await runtime.ApplyAsync(Manifests.Release("web", 1, Manifests.Deployment(ns, "web", readiness: Manifests.HttpReadiness()), Manifests.Service(ns, "web", "web")), Ct)).ShouldBeTrue();
        await Wait.HealthAsync(runtime, "web", "Healthy");

        var endpoint = runtime.GetServiceEndpoint("web", ns, "web", 80).ShouldNotBeNull();
        endpoint.Address.ShouldBe(IPAddress.Loopback);
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://{endpoint}/", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).Trim().ShouldBe("ok");

        // The same generation and checksum again is a no-op.
        (await runtime.ApplyAsync(Manifests.Release("web", 1, Manifests.Deployment(ns, "web")), Ct)).ShouldBeFalse();

        await runtime.ApplyAsync(Manifests.Release("web", 2, Manifests.Deployment(ns, "web", replicas: 3, readiness: Manifests.HttpReadiness()), Manifests.Service(ns, "web", "web")), Ct);
        await Wait.HealthAsync(runtime, "web", "Healthy");
        var containers = await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=dep", "openchoreo.dev/resource=Deployment.cell-dep.web");
        containers.Count.ShouldBe(3);
        containers.ShouldAllBe(c => c!["State"]!.GetValue<string>() == "running");
        // Every published port is on loopback only.
        foreach (var c in containers)
            foreach (var p in c!["Ports"]!.AsArray()) p!["IP"]!.GetValue<string>().ShouldBe("127.0.0.1");
        runtime.GetServiceEndpoint("web", ns, "web", 80)!.Port.ShouldBe(endpoint.Port);
        (await runtime.ListAsync(Ct)).ShouldHaveSingleItem().ShouldBe(new OpenChoreo.Tunnel.Operations.HeldRelease("web", 2, "c2"));

        (await runtime.DeleteAsync("web", Ct)).ShouldBeTrue();
        (await runtime.DeleteAsync("web", Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task New_image_rolls_out_with_zero_failed_requests()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("roll"), ct: Ct);
        var ns = "cell-roll";
        await runtime.ApplyAsync(Manifests.Release("r", 1, Manifests.Deployment(ns, "api", replicas: 2, body: "v1", readiness: Manifests.HttpReadiness()), Manifests.Service(ns, "api", "api")), Ct);
        await Wait.HealthAsync(runtime, "r", "Healthy");
        var endpoint = runtime.GetServiceEndpoint("r", ns, "api", 80)!;

        await runtime.ApplyAsync(Manifests.Release("r", 2, Manifests.Deployment(ns, "api", replicas: 2, image: PodmanFixture.Image2, body: "v2", readiness: Manifests.HttpReadiness()), Manifests.Service(ns, "api", "api")), Ct);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(15) };
        var failures = new List<string>();
        var bodies = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var sent = 0;
        // Bounded: at most 3000 requests or 60 s; ends once only v2 answers and the rollout is healthy.
        for (var i = 0; i < 3000 && DateTime.UtcNow < deadline; i++)
        {
            sent++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{endpoint}/");
                request.Headers.ConnectionClose = true;
                using var response = await http.SendAsync(request, Ct);
                if (response.StatusCode != HttpStatusCode.OK) failures.Add($"#{i}: {response.StatusCode}");
                else bodies.Add((await response.Content.ReadAsStringAsync(Ct)).Trim());
            }
            catch (HttpRequestException e) { failures.Add($"#{i}: {e.Message} {e.InnerException?.Message}"); }
            if (bodies.Contains("v2") && runtime.GetHealth().Single().Health == "Healthy"
                && (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=roll", "openchoreo.dev/resource=Deployment.cell-roll.api")).Count == 2) break;
        }
        failures.ShouldBeEmpty(string.Join(" | ", failures.Distinct().Take(5)));
        bodies.ShouldBe(["v1", "v2"], ignoreOrder: true);
        // Each replacement took several reconcile passes: the loop ran through the whole swap, not past it.
        sent.ShouldBeGreaterThan(20);
        var left = await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=roll", "openchoreo.dev/resource=Deployment.cell-roll.api");
        left.Count.ShouldBe(2);
        left.ShouldAllBe(c => c!["Image"]!.GetValue<string>() == PodmanFixture.Image2);
        await runtime.DeleteAsync("r", Ct);
    }

    [Fact]
    public async Task Crash_looping_container_becomes_degraded_with_reason_and_output()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("crash"), ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("c", 1, Manifests.Deployment("cell-crash", "bad", script: "echo config missing: DB_URL; exit 3")), Ct);
        await Wait.HealthAsync(runtime, "c", "Degraded");
        var status = runtime.GetResourceStatus("c")!.Single(s => s.Kind == "Deployment");
        status.Health.ShouldBe(ResourceHealth.Degraded);
        status.Message.ShouldNotBeNull();
        status.Message.ShouldStartWith("CrashLoopBackOff: container exited with code 3");
        status.Message.ShouldContain("config missing: DB_URL");
        runtime.GetHealth().Single().Message!.ShouldStartWith("Deployment bad: CrashLoopBackOff");
        await runtime.DeleteAsync("c", Ct);
    }

    [Fact]
    public async Task Components_reach_each_other_by_service_name_inside_the_cell()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("mesh"), ct: Ct);
        var ns = "cell-mesh";
        await runtime.ApplyAsync(Manifests.Release("backend", 1, Manifests.Deployment(ns, "backend", body: "from-backend", readiness: Manifests.HttpReadiness()), Manifests.Service(ns, "backend", "backend")), Ct);
        await runtime.ApplyAsync(Manifests.Release("frontend", 1, Manifests.Deployment(ns, "frontend", script: "exec /bin/busybox sleep 3600")), Ct);
        await Wait.HealthAsync(runtime, "backend", "Healthy");
        await Wait.HealthAsync(runtime, "frontend", "Healthy");
        var client = (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=mesh", "openchoreo.dev/release=frontend")).Single();
        var id = client!["Id"]!.GetValue<string>();
        // Port 80 → targetPort 8080 through the Service's forwarder; DNS for a fresh alias may lag a moment. The name is resolved
        // with nslookup because static busybox's getaddrinfo/wget crash without NSS modules (a test-image limitation).
        await Wait.UntilAsync(async () => await podman.Client.ExecAsync(id, ["/bin/busybox", "sh", "-c", "ip=$(/bin/busybox nslookup backend | /bin/busybox awk '/^Address/{a=$2} END{print a}'); printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc $ip 80 | /bin/busybox grep -q from-backend"], Ct) == 0,
            TimeSpan.FromSeconds(30), () => "frontend could not fetch http://backend:80/");
        await runtime.DeleteAsync("frontend", Ct);
        await runtime.DeleteAsync("backend", Ct);
    }

    [Fact]
    public async Task Other_kinds_are_reported_unsupported_and_http_routes_reach_the_route_table()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("kinds"), ct: Ct);
        var ns = "cell-kinds";
        var route = JsonNode.Parse($$$"""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"web","namespace":"{{{ns}}}"},
             "spec":{"hostnames":["web.example.test"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"backendRefs":[{"name":"web","port":80}]}]}}
            """)!.AsObject();
        var external = JsonNode.Parse($$$"""{"apiVersion":"external-secrets.io/v1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"{{{ns}}}"}}""")!.AsObject();
        var routesChanged = 0;
        runtime.RoutesChanged += () => Interlocked.Increment(ref routesChanged);
        await runtime.ApplyAsync(Manifests.Release("k", 1, Manifests.Deployment(ns, "web"), Manifests.Service(ns, "web", "web"), route, external), Ct);
        await Wait.HealthAsync(runtime, "k", "Healthy");
        runtime.GetResourceStatus("k")!.ShouldContain(new ResourceStatus("ExternalSecret", ns, "db", ResourceHealth.Unsupported, "ExternalSecret is not supported by the podman runtime"));
        await Wait.UntilAsync(() => runtime.Routes.Count == 1 && runtime.Routes[0].Rules[0].Backends[0].Endpoint is not null, TimeSpan.FromSeconds(10), () => $"{runtime.Routes.Count} routes");
        var entry = runtime.Routes.ShouldHaveSingleItem();
        entry.Hostnames.ShouldBe(["web.example.test"]);
        var rule = entry.Rules.ShouldHaveSingleItem();
        rule.Matches.ShouldBe([new RoutePathMatch("PathPrefix", "/api")]);
        var backend = rule.Backends.ShouldHaveSingleItem();
        backend.Endpoint.ShouldBe(runtime.GetServiceEndpoint("k", ns, "web", 80));
        routesChanged.ShouldBeGreaterThan(0);
        await runtime.DeleteAsync("k", Ct);
        runtime.Routes.ShouldBeEmpty();
    }
}
