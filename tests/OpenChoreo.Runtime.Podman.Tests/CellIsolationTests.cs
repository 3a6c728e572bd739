using System.Net;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>
/// Traffic between cells only through the gateway: a container of one cell cannot connect to a container of another,
/// while the host-side path the gateway uses (published 127.0.0.1 ports, the Service relays) reaches both cells.
/// </summary>
public sealed class CellIsolationTests(PodmanFixture podman)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_container_cannot_connect_to_another_cell_while_its_own_cell_and_the_gateway_path_can()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("iso"), ct: Ct);
        const string a = "cell-iso-a", b = "cell-iso-b";
        var policy = JsonNode.Parse($$$"""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"same-cell","namespace":"{{{a}}}"},
             "spec":{"podSelector":{},"policyTypes":["Ingress"],"ingress":[{"from":[{"podSelector":{}}]}]}}
            """)!.AsObject();
        // A leftover cell network without isolation (as podman's own API makes them): replaced, not adopted as it is.
        await podman.Client.RemoveNetworkAsync("oc-" + a, Ct);
        await podman.Client.CreateNetworkAsync("oc-" + a, new Dictionary<string, string> { ["openchoreo.dev/plane"] = "iso", ["openchoreo.dev/namespace"] = a }, isolate: false, Ct);
        (await podman.Client.IsNetworkIsolatedAsync("oc-" + a, Ct)).ShouldBe(false);
        await runtime.ApplyAsync(Manifests.Release("ra", 1, Manifests.Deployment(a, "web", body: "from-a", readiness: Manifests.HttpReadiness()), Manifests.Service(a, "web", "web"), policy), Ct);
        await runtime.ApplyAsync(Manifests.Release("rb", 1, Manifests.Deployment(b, "web", body: "from-b", readiness: Manifests.HttpReadiness()), Manifests.Service(b, "web", "web"),
            Manifests.Deployment(b, "client", script: "exec /bin/busybox sleep 3600")), Ct);
        await Wait.HealthAsync(runtime, "ra", "Healthy");
        await Wait.HealthAsync(runtime, "rb", "Healthy");
        runtime.GetResourceStatus("ra")!.ShouldContain(new ResourceStatus("NetworkPolicy", a, "same-cell", ResourceHealth.Healthy, "enforced: other cells denied; own cell and gateway allowed"));
        foreach (var cell in (string[])[a, b])
            (await podman.Client.IsNetworkIsolatedAsync("oc-" + cell, Ct)).ShouldBe(true, cell);

        // The gateway's path: the host reaches both cells through 127.0.0.1.
        using var http = new HttpClient();
        foreach (var (release, cell, body) in (ValueTuple<string, string, string>[])[("ra", a, "from-a"), ("rb", b, "from-b")])
        {
            var endpoint = runtime.GetServiceEndpoint(release, cell, "web", 80)!;
            endpoint.Address.ShouldBe(IPAddress.Loopback);
            (await http.GetStringAsync($"http://{endpoint}/", Ct)).Trim().ShouldBe(body);
        }

        var client = await ContainerAsync("Deployment.cell-iso-b.client");
        var webA = await AddressAsync(await ContainerAsync("Deployment.cell-iso-a.web"), a);
        var webB = await AddressAsync(await ContainerAsync("Deployment.cell-iso-b.web"), b);
        string Fetch(string ip, string body) =>
            $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox timeout 3 /bin/busybox nc {ip} 8080 | /bin/busybox grep -q {body}";
        // Control: the same request to a container of its own cell succeeds, so a failure below is the isolation.
        await Wait.UntilAsync(async () => await podman.Client.ExecAsync(client, ["/bin/busybox", "sh", "-c", Fetch(webB, "from-b")], Ct) == 0,
            TimeSpan.FromSeconds(20), () => $"the client could not fetch from its own cell at {webB}");
        (await podman.Client.ExecAsync(client, ["/bin/busybox", "sh", "-c", Fetch(webA, "from-a")], Ct)).ShouldNotBe(0, $"a container of {b} reached {webA} in {a}");

        await runtime.DeleteAsync("ra", Ct);
        await runtime.DeleteAsync("rb", Ct);
        // No cells left: the plane's iptables chain is gone too.
        var chain = new CellFirewall("iptables", "iso").Chain;
        using var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("iptables", ["-w", "-S", chain]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await list.WaitForExitAsync(Ct);
        list.ExitCode.ShouldNotBe(0, $"chain {chain} still exists");
    }

    [Fact]
    public async Task Without_the_cell_firewall_a_network_policy_is_degraded_never_claimed()
    {
        var options = podman.Options("nofw");
        options.CellFirewall = false;
        await using var runtime = await PodmanReleaseRuntime.StartAsync(options, ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("np", 1, SameCellPolicy("cell-nofw")), Ct);
        await Wait.HealthAsync(runtime, "np", "Degraded");
        runtime.GetResourceStatus("np").ShouldBe([new ResourceStatus("NetworkPolicy", "cell-nofw", "same-cell", ResourceHealth.Degraded,
            "not enforced: traffic between cells is not blocked: the runtime's cell firewall is off (PodmanRuntimeOptions.CellFirewall)")]);
        await runtime.DeleteAsync("np", Ct);
    }

    [Fact]
    public async Task When_iptables_cannot_run_the_policy_is_degraded_and_the_workload_still_runs()
    {
        var options = podman.Options("nofw2");
        options.IptablesPath = "/nonexistent/iptables";
        await using var runtime = await PodmanReleaseRuntime.StartAsync(options, ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("np", 1, Manifests.Deployment("cell-nofw2", "web", readiness: Manifests.HttpReadiness()), SameCellPolicy("cell-nofw2")), Ct);
        await Wait.HealthAsync(runtime, "np", "Degraded");
        var statuses = runtime.GetResourceStatus("np")!;
        statuses.Single(s => s.Kind == "Deployment").Health.ShouldBe(ResourceHealth.Healthy);
        var policy = statuses.Single(s => s.Kind == "NetworkPolicy");
        policy.Health.ShouldBe(ResourceHealth.Degraded);
        policy.Message!.ShouldStartWith($"not enforced: traffic between cells is not blocked: cannot create iptables chain {new CellFirewall("x", "nofw2").Chain}: /nonexistent/iptables could not be started");
        await runtime.DeleteAsync("np", Ct);
    }

    private static JsonObject SameCellPolicy(string ns) => JsonNode.Parse($$$"""
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"same-cell","namespace":"{{{ns}}}"},
         "spec":{"podSelector":{},"policyTypes":["Ingress"],"ingress":[{"from":[{"podSelector":{}}]}]}}
        """)!.AsObject();

    private async Task<string> ContainerAsync(string resource) =>
        (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=iso", "openchoreo.dev/resource=" + resource)).Single()!["Id"]!.GetValue<string>();

    private async Task<string> AddressAsync(string container, string cell) =>
        (await podman.Client.InspectContainerAsync(container, Ct))!["NetworkSettings"]!["Networks"]!["oc-" + cell]!["IPAddress"]!.GetValue<string>();
}
