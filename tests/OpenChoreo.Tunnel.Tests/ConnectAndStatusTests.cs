using OpenChoreo.Pki;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

public sealed class ConnectAndStatusTests
{
    private static readonly PlaneIdentity Dp = new("acme", "dataplane", "dp1");

    [Fact]
    public async Task Enrolled_agent_connects_and_status_turns_Connected_with_runtime_info()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var (agent, _) = await cp.StartAgentAsync(Dp);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "the agent is connected");
        await WaitStatusAsync(cp, "True", TimeSpan.FromSeconds(1));
        await Eventually.WaitUntilAsync(() => cp.GetPlaneAsync(Dp).Result?.Status?["agent"]?["runtime"]?["kind"] is not null, "runtime info is in status");
        var status = (await cp.GetPlaneAsync(Dp))!.Status!;
        status["agent"]!["runtime"]!["kind"]!.GetValue<string>().ShouldBe("memory");
        status["agent"]!["connections"]!.GetValue<int>().ShouldBe(1);
        status["agent"]!["lastConnectedTime"].ShouldNotBeNull();
        status["agent"]!["lastHeartbeatTime"].ShouldNotBeNull();
        status["agent"]!["version"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        var reply = await cp.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance);
        reply.AgentTime.ShouldNotBe(default);
        agent.ConnectCount.ShouldBe(1);
    }

    [Fact]
    public async Task Status_turns_Disconnected_within_two_heartbeats_when_the_network_stalls_and_Connected_within_1s_after()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await using var proxy = FaultProxy.Start(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, cp.ConnectUrl.Port));
        var via = new UriBuilder(cp.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri;
        var (agent, _) = await cp.StartAgentAsync(Dp, via);
        await WaitStatusAsync(cp, "True", TimeSpan.FromSeconds(10));
        // The gateway reports Connected once it has the agent's hello; the agent counts the connection only once the
        // gateway's answer arrived. Stalling in between would leave a handshake that never counts, so wait for both.
        await Eventually.WaitUntilAsync(() => agent.ConnectCount >= 1, "the agent completes its handshake", TimeSpan.FromSeconds(10));
        var connects = agent.ConnectCount;

        proxy.Stalled = true; // nothing flows, nothing closes: only heartbeats can tell
        var stalledAt = System.Diagnostics.Stopwatch.StartNew();
        await WaitStatusAsync(cp, "False", TimeSpan.FromSeconds(10));
        // Two intervals plus the store write and the 5 ms polling of the test.
        stalledAt.Elapsed.ShouldBeLessThan(cp.Heartbeat * 2 + TimeSpan.FromMilliseconds(400));

        proxy.Stalled = false;
        proxy.ResetConnections();
        await Eventually.WaitUntilAsync(() => agent.ConnectCount > connects, "the agent reconnects", TimeSpan.FromSeconds(30));
        var reconnected = System.Diagnostics.Stopwatch.StartNew();
        await WaitStatusAsync(cp, "True", TimeSpan.FromSeconds(1));
        reconnected.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Status_turns_Disconnected_when_the_agent_stops()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await using var proxy = FaultProxy.Start(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, cp.ConnectUrl.Port));
        var via = new UriBuilder(cp.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri;
        await cp.StartAgentAsync(Dp, via);
        await WaitStatusAsync(cp, "True", TimeSpan.FromSeconds(10));
        proxy.RefuseNewConnections = true;
        proxy.ResetConnections();
        await WaitStatusAsync(cp, "False", cp.Heartbeat * 2);
        var cond = (await cp.GetPlaneAsync(Dp))!.Status!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Connected")!;
        cond["reason"]!.GetValue<string>().ShouldBe("AgentDisconnected");
        (await cp.GetPlaneAsync(Dp))!.Status!["agent"]!["connections"]!.GetValue<int>().ShouldBe(0);
    }

    internal static Task WaitStatusAsync(TestControlPlane cp, string expected, TimeSpan within, PlaneIdentity? id = null) =>
        Eventually.WaitUntilAsync(() => cp.ConnectedConditionAsync(id ?? Dp).Result == expected, $"Connected is {expected}", within);
}
