using System.Net;
using System.Text;
using OpenChoreo.Agent;
using OpenChoreo.Pki;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

public sealed class TunnelBehaviourTests
{
    private static readonly PlaneIdentity Dp = new("acme", "dataplane", "dp1");

    private static ApplyReleaseRequest Release(string name, long generation) =>
        new() { Name = name, Generation = generation, Checksum = $"sha256:{name}-{generation}", Resources = [] };

    [Fact]
    public async Task Desired_state_changed_while_the_agent_was_away_is_applied_when_it_returns()
    {
        await using var cp = await TestControlPlane.StartAsync();
        cp.Desired.ByPlane[Dp.ToString()] = [Release("r1", 1), Release("r2", 1)];
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, cp.ConnectUrl.Port));
        var (agent, runtime) = await cp.StartAgentAsync(Dp, new UriBuilder(cp.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri);
        await Eventually.WaitUntilAsync(() => runtime.Releases.Count == 2, "the first resync applied r1 and r2");

        proxy.RefuseNewConnections = true;
        proxy.ResetConnections();
        await Eventually.WaitUntilAsync(() => !cp.Gateway.IsConnected(Dp), "the agent is away");
        cp.Desired.ByPlane[Dp.ToString()] = [Release("r1", 2), Release("r3", 1)];
        proxy.RefuseNewConnections = false;

        await Eventually.WaitUntilAsync(() => runtime.Releases.Count == 2 && runtime.Releases.ContainsKey("r3") && runtime.Releases["r1"].Generation == 2,
            "the resync after reconnecting applied r1@2 and r3 and deleted r2");
        runtime.Releases.ContainsKey("r2").ShouldBeFalse();
        agent.ConnectCount.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_gateway_initiated_close_reaches_the_agent_with_its_reason()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var plane = await cp.CreatePlaneAsync(Dp);
        await using var connection = await cp.RawConnectAsync(cp.SignFor(Dp, plane.Uid!));
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "the gateway holds the connection");
        cp.Gateway.Registry.Find(Dp)!.Connection.Close("maintenance window");
        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        connection.CloseReason.ShouldBe(TunnelConnection.PeerClosedPrefix + ": maintenance window");
    }

    [Fact]
    public async Task Apply_and_delete_through_the_gateway()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var (agent, runtime) = await cp.StartAgentAsync(Dp);
        // After the agent's resync: a direct apply racing it would be undone by the delivery it triggers.
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp) && agent.Connections.Count == 1, "connected and resynced");
        var reply = await cp.Gateway.InvokeAsync(Dp, TunnelOperations.ApplyRelease, Release("web", 3));
        reply.ShouldBe(new ApplyReleaseReply("web", 3, "sha256:web-3", true));
        (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.ApplyRelease, Release("web", 3))).Changed.ShouldBeFalse();
        (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.DeleteRelease, new DeleteReleaseRequest("web"))).Existed.ShouldBeTrue();
        runtime.Releases.ShouldBeEmpty();
        var unknown = await Should.ThrowAsync<TunnelException>(() => cp.Gateway.InvokeAsync(new PlaneIdentity("acme", "dataplane", "nope"), TunnelOperations.Ping, Empty.Instance));
        unknown.Code.ShouldBe(TunnelErrorCodes.NotFound);
    }

    [Fact]
    public async Task Request_deadline_fires_when_the_network_stalls_and_nothing_hangs()
    {
        await using var cp = await TestControlPlane.StartAsync(heartbeat: TimeSpan.FromSeconds(5));
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, cp.ConnectUrl.Port));
        await cp.StartAgentAsync(Dp, new UriBuilder(cp.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "connected");
        proxy.Stalled = true;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Should.ThrowAsync<TunnelException>(() => cp.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance, TimeSpan.FromMilliseconds(300)));
        e.Code.ShouldBe(TunnelErrorCodes.DeadlineExceeded);
        e.Message.ShouldBe("'ping' did not complete within 300 ms.");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
        proxy.Stalled = false;
        (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
    }

    [Fact]
    public async Task Log_stream_is_flow_controlled_complete_and_cancellable()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.StartAgentAsync(Dp);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "connected");
        // ~1.7 MB through a 1 MiB window: only works if credit flows back.
        var stream = await cp.Gateway.OpenStreamAsync(Dp, TunnelOperations.LogFollow, new LogFollowRequest("web", TailLines: 100_000));
        var lines = 0;
        await foreach (var chunk in stream.ReadAllAsync()) lines += chunk.Span.Count((byte)'\n');
        lines.ShouldBe(100_000);

        var endless = await cp.Gateway.OpenStreamAsync(Dp, TunnelOperations.LogFollow, new LogFollowRequest("web"));
        var first = await endless.ReadAsync();
        Encoding.UTF8.GetString(first.Span).ShouldStartWith("web line 0\n");
        await endless.CancelAsync();
        await Should.ThrowAsync<TunnelException>(async () => { while (!(await endless.ReadAsync()).IsEmpty) { } });
        (await cp.Gateway.InvokeAsync(Dp, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
    }

    [Fact]
    public async Task Agent_renews_its_certificate_over_the_tunnel_without_reconnecting()
    {
        await using var cp = await TestControlPlane.StartAsync(settings: new Dictionary<string, string?> { ["clusterGateway:agentCertificateLifetime"] = "00:01:00" });
        await cp.CreatePlaneAsync(Dp);
        var creds = await cp.EnrollAsync(Dp);
        var firstSerial = creds.Certificate.SerialNumber;
        var agent = new PlaneAgent(new PlaneAgentOptions
        {
            GatewayUrl = cp.ConnectUrl,
            Renewal = RenewalSchedule.Before(TimeSpan.FromSeconds(59.5)), // due half a second after issuance
        }, creds, new InMemoryReleaseRuntime(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = agent.RunAsync(stop.Token);
        await Eventually.WaitUntilAsync(() => creds.Certificate.SerialNumber != firstSerial, "the certificate was renewed");
        PlaneIdentity.FromCertificate(creds.Certificate).ShouldBe(Dp);
        agent.ConnectCount.ShouldBe(1);
        stop.Cancel();
        await run;
    }

    [Fact]
    public async Task Agent_backs_off_exponentially_with_jitter_while_the_gateway_is_unreachable()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, cp.ConnectUrl.Port));
        proxy.RefuseNewConnections = true;
        var (agent, _) = await cp.StartAgentAsync(Dp, new UriBuilder(cp.ConnectUrl) { Port = proxy.EndPoint.Port }.Uri);
        await Eventually.WaitUntilAsync(() => agent.RecentDelays.Count >= 6, "six failed attempts");
        agent.RecentDelays.ShouldAllBe(d => d <= TimeSpan.FromMilliseconds(500));
        proxy.RefuseNewConnections = false;
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "connected once the gateway is reachable");
    }

    [Fact]
    public void Backoff_doubles_up_to_the_cap_and_resets()
    {
        var b = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(1));
        var ceilings = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            ceilings.Add(b.NextCeiling);
            b.Next().ShouldBeLessThanOrEqualTo(ceilings[^1]);
        }
        ceilings[..4].ShouldBe([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)]);
        ceilings[^1].ShouldBe(TimeSpan.FromSeconds(30));
        var delays = Enumerable.Range(0, 50).Select(_ => b.Next()).ToList();
        delays.Distinct().Count().ShouldBeGreaterThan(40); // jitter: not a fixed delay
        b.Reset();
        b.NextCeiling.ShouldBe(TimeSpan.FromMilliseconds(100));
    }
}
