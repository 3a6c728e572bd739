using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenChoreo.Agent;
using OpenChoreo.Gateway;
using OpenChoreo.Pki;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

/// <summary>
/// Two control-plane replicas on one real PostgreSQL and one real agent: the agent learns every replica from the
/// announced set and holds a connection to each, so requests through either replica reach it, and it keeps serving
/// through the survivor when one replica dies.
/// </summary>
public sealed class GatewayReplicaTests
{
    private static readonly PlaneIdentity Dp = new("acme", "dataplane", "dp1");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<JsonNode?> AgentStatusAsync(TestControlPlane cp) => (await cp.GetPlaneAsync(Dp))?.Status?["agent"];

    [Fact]
    public async Task Every_request_through_either_replica_reaches_the_agent_and_the_survivor_keeps_serving_when_one_dies()
    {
        var db = await ReleaseDeliveryTests.NewPostgresDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("oc-replicas-").FullName; // one platform CA for both replicas
        // Replica A sits behind a fault proxy (it advertises the proxy), so killing it can be abrupt: nothing more flows.
        var aPort = FreePort();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, aPort));
        var aUrl = new Uri($"wss://127.0.0.1:{proxy.EndPoint.Port}{ClusterGateway.ConnectPath}");
        var a = await ReleaseDeliveryTests.StartAsync(dir, db, "replica-a", new Dictionary<string, string?>
        {
            ["clusterGateway:listen"] = $"https://127.0.0.1:{aPort}",
            ["clusterGateway:advertiseUrl"] = aUrl.ToString(),
        });
        var aStopped = false;
        try
        {
            await using var b = await ReleaseDeliveryTests.StartAsync(dir, db, "replica-b");
            await b.CreatePlaneAsync(Dp);
            var creds = await b.EnrollAsync(Dp);
            var runtime = new InMemoryReleaseRuntime();
            // Seeded with replica A only: B is found through the announced replica set.
            var agent = b.RunAgent(creds, runtime, aUrl);
            await Eventually.WaitUntilAsync(() => a.Gateway.IsConnected(Dp) && b.Gateway.IsConnected(Dp) && agent.Connections.Count == 2,
                "the agent is connected to both replicas", Timeout);
            agent.GatewayUrls.ShouldBe([aUrl, b.ConnectUrl]);

            // Typed operations answer through either replica.
            foreach (var cp in new[] { a, b })
            {
                (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
                (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.RuntimeInfo, Empty.Instance)).Kind.ShouldBe((await runtime.GetInfoAsync(CancellationToken.None)).Kind);
            }

            // A release written through each replica reaches the agent.
            var one = await a.Store.CreateAsync(ReleaseDeliveryTests.Release("web:1", name: "via-a"));
            var two = await b.Store.CreateAsync(ReleaseDeliveryTests.Release("api:1", name: "via-b"));
            await Eventually.WaitUntilAsync(() => ReleaseDeliveryTests.Holds(runtime, one) && ReleaseDeliveryTests.Holds(runtime, two),
                "the agent holds the releases written through A and through B", Timeout);

            // Each replica writes its own share of the connection count.
            await Eventually.WaitUntilAsync(async () => (int?)(await AgentStatusAsync(b))?["connections"] == 2 && await b.ConnectedConditionAsync(Dp) == "True",
                "the plane shows 2 connections through 2 replicas", Timeout);
            ((await AgentStatusAsync(b))!["leases"]!.AsArray().Select(l => (string?)l!["replica"]).Order()).ShouldBe(["replica-a", "replica-b"]);

            // Kill A: nothing flows to or from it any more, then its host goes away.
            proxy.RefuseNewConnections = true;
            proxy.Stalled = true;
            aStopped = true;
            await a.DisposeAsync();

            // The agent keeps serving through B: a new release written through B reaches it, and B's ops answer.
            var three = await b.Store.CreateAsync(ReleaseDeliveryTests.Release("worker:1", name: "after-kill"));
            await Eventually.WaitUntilAsync(() => ReleaseDeliveryTests.Holds(runtime, three), "the agent holds the release written through B after A died", Timeout);
            (await b.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
            await Eventually.WaitUntilAsync(async () => (int?)(await AgentStatusAsync(b))?["connections"] == 1,
                "the plane shows 1 connection", Timeout);
            (await b.ConnectedConditionAsync(Dp)).ShouldBe("True");
            agent.Connections.Count.ShouldBe(1);
            runtime.Releases.Keys.Order().ShouldBe(["after-kill", "via-a", "via-b"]);
        }
        finally
        {
            if (!aStopped) await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_agent_dials_only_wss_replicas_announced_and_drops_them_when_no_longer_announced()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var (agent, _) = await cp.StartAgentAsync(Dp);
        await Eventually.WaitUntilAsync(() => agent.Connections.Count == 1, "connected");
        var unreachable = new Uri($"wss://127.0.0.1:{FreePort()}{ClusterGateway.ConnectPath}");
        GatewayReplica[] announced =
        [
            new("plain-http", "https://127.0.0.1:1/agent/v1/connect"),
            new("garbage", "not a url"),
            new("", unreachable.ToString()),
            new("gone", unreachable.ToString()),
            .. Enumerable.Range(0, 20).Select(i => new GatewayReplica($"extra-{i}", $"wss://127.0.0.{i + 2}:1/agent/v1/connect")),
        ];
        await cp.Gateway.InvokeAsync(Dp, TunnelOperations.GatewayReplicas, new GatewayReplicasMessage(announced));
        // Only the first 16 entries count; of those, the non-wss and unnamed ones are ignored.
        agent.GatewayUrls.ShouldBe([cp.ConnectUrl, unreachable, .. Enumerable.Range(0, 12).Select(i => new Uri($"wss://127.0.0.{i + 2}:1/agent/v1/connect"))]);

        await cp.Gateway.InvokeAsync(Dp, TunnelOperations.GatewayReplicas, new GatewayReplicasMessage([]));
        await Eventually.WaitUntilAsync(() => agent.GatewayUrls.Count == 1, "the agent dropped the replicas no longer announced", Timeout);
        agent.GatewayUrls.ShouldBe([cp.ConnectUrl]); // the seed stays, and its connection was never disturbed
        agent.Connections.Count.ShouldBe(1);
        agent.ConnectCount.ShouldBe(1);
    }

    [Theory]
    [InlineData("https://cp1.example.com:8444/agent/v1/connect")]
    [InlineData("wss://cp1.example.com:8444/other")]
    [InlineData("not a url")]
    public void An_advertised_URL_that_agents_could_not_dial_is_refused_at_start(string url)
    {
        var result = new ClusterGatewayOptionsValidator().Validate(null, new ClusterGatewayOptions { DataDir = "/tmp/x", AdvertiseUrl = url });
        result.Failed.ShouldBeTrue();
        result.Failures.ShouldBe([$"clusterGateway:advertiseUrl: \"{url}\" must be a wss:// URL ending in /agent/v1/connect, e.g. wss://cp1.example.com:8444/agent/v1/connect"]);
        new ClusterGatewayOptionsValidator().Validate(null, new ClusterGatewayOptions { DataDir = "/tmp/x", AdvertiseUrl = "wss://cp1.example.com:8444/agent/v1/connect" })
            .Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task An_announced_replica_that_goes_away_is_dropped_and_status_turns_Disconnected_when_all_are_gone()
    {
        var db = await ReleaseDeliveryTests.NewPostgresDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("oc-replicas-").FullName;
        var a = await ReleaseDeliveryTests.StartAsync(dir, db, "replica-a");
        var aStopped = false;
        try
        {
            await using var b = await ReleaseDeliveryTests.StartAsync(dir, db, "replica-b");
            await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, b.ConnectUrl.Port));
            await b.CreatePlaneAsync(Dp);
            var creds = await b.EnrollAsync(Dp);
            var agent = b.RunAgent(creds, new InMemoryReleaseRuntime(), new UriBuilder(b.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri);
            await Eventually.WaitUntilAsync(() => a.Gateway.IsConnected(Dp) && b.Gateway.IsConnected(Dp), "the agent is connected to both replicas", Timeout);
            agent.GatewayUrls.Count.ShouldBe(2);

            aStopped = true;
            await a.DisposeAsync(); // withdraws its replica record: B announces itself alone
            await Eventually.WaitUntilAsync(() => agent.GatewayUrls.Count == 1, "the agent dropped the replica that went away", Timeout);
            agent.GatewayUrls[0].Port.ShouldBe(proxy.EndPoint.Port); // the seed stays

            // The last replica's connection lost too: Disconnected within two heartbeat intervals.
            proxy.RefuseNewConnections = true;
            proxy.ResetConnections();
            var since = System.Diagnostics.Stopwatch.StartNew();
            await ConnectAndStatusTests.WaitStatusAsync(b, "False", b.Heartbeat * 2 + TimeSpan.FromMilliseconds(500));
            since.Elapsed.ShouldBeLessThan(b.Heartbeat * 2 + TimeSpan.FromMilliseconds(500));
            ((int?)(await AgentStatusAsync(b))!["connections"]).ShouldBe(0);
        }
        finally
        {
            if (!aStopped) await a.DisposeAsync();
        }
    }
}
