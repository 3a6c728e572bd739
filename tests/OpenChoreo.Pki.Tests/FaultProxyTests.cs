using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenChoreo.Testing;

namespace OpenChoreo.Pki.Tests;

public sealed class FaultProxyTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private EchoServer _echo = null!;
    private FaultProxy _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _timeout.CancelAfter(TimeSpan.FromSeconds(20));
        _echo = EchoServer.Start();
        _proxy = FaultProxy.Start(_echo.EndPoint);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _echo.DisposeAsync();
        _timeout.Dispose();
    }

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task Forwards_both_ways_and_counts_connections_and_bytes()
    {
        using var client = await ConnectAsync();

        (await EchoAsync(client, "hello")).ShouldBe("hello");

        _proxy.EndPoint.Address.ShouldBe(IPAddress.Loopback);
        _proxy.ConnectionsAccepted.ShouldBe(1);
        _proxy.ActiveConnections.ShouldBe(1);
        // A counter moves after its send completes, which can be after the peer already answered.
        await Eventually.WaitUntilAsync(() => _proxy.BytesToTarget >= 5 && _proxy.BytesToClient >= 5, "byte counters settle", cancellationToken: Ct);
        _proxy.BytesToTarget.ShouldBe(5);
        _proxy.BytesToClient.ShouldBe(5);
        _echo.BytesReceived.ShouldBe(5);
    }

    [Fact]
    public async Task Latency_is_added_in_each_direction()
    {
        using var client = await ConnectAsync();
        (await EchoAsync(client, "warm")).ShouldBe("warm");
        _proxy.Latency = TimeSpan.FromMilliseconds(150);

        var watch = Stopwatch.StartNew();
        (await EchoAsync(client, "slow")).ShouldBe("slow");

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Reset_mid_stream_is_seen_by_the_client_as_connection_reset()
    {
        using var client = await ConnectAsync();
        (await EchoAsync(client, "before")).ShouldBe("before");
        var stream = client.GetStream();
        var pending = stream.ReadAsync(new byte[16], Ct).AsTask();

        _proxy.ResetConnections().ShouldBe(1);

        var ex = await Should.ThrowAsync<IOException>(pending);
        ex.InnerException.ShouldBeOfType<SocketException>().SocketErrorCode.ShouldBe(SocketError.ConnectionReset);
        await Eventually.WaitUntilAsync(() => _proxy.ActiveConnections == 0, "the proxy forgets the reset connection", cancellationToken: Ct);
    }

    [Fact]
    public async Task Stalled_proxy_holds_data_without_closing_and_releases_it_when_resumed()
    {
        using var client = await ConnectAsync();
        (await EchoAsync(client, "a")).ShouldBe("a");
        _proxy.Stalled = true;
        var stream = client.GetStream();
        await stream.WriteAsync("stuck"u8.ToArray(), Ct);
        var buffer = new byte[16];
        var read = stream.ReadAsync(buffer, Ct).AsTask();

        await Eventually.WaitUntilAsync(() => _proxy.BytesFromClient == 6, "the proxy has read the stalled bytes", cancellationToken: Ct);
        _echo.BytesReceived.ShouldBe(1); // held in the proxy: the target never saw them
        _proxy.BytesToTarget.ShouldBe(1);
        read.IsCompleted.ShouldBeFalse();
        _proxy.ActiveConnections.ShouldBe(1);

        _proxy.Stalled = false;

        var n = await read.WaitAsync(Ct);
        Encoding.ASCII.GetString(buffer, 0, n).ShouldBe("stuck");
    }

    [Fact]
    public async Task Dropped_connections_see_end_of_stream()
    {
        using var client = await ConnectAsync();
        (await EchoAsync(client, "x")).ShouldBe("x");

        _proxy.DropConnections().ShouldBe(1);

        (await client.GetStream().ReadAsync(new byte[4], Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task New_connections_can_be_dropped_while_live_ones_keep_working()
    {
        using var live = await ConnectAsync();
        _proxy.DropNewConnections = true;

        using var dropped = await ConnectAsync();
        (await dropped.GetStream().ReadAsync(new byte[4], Ct)).ShouldBe(0);
        _proxy.ConnectionsDropped.ShouldBe(1);
        (await EchoAsync(live, "still")).ShouldBe("still");

        _proxy.DropNewConnections = false;
        using var again = await ConnectAsync();
        (await EchoAsync(again, "back")).ShouldBe("back");
    }

    [Fact]
    public async Task Refusing_closes_the_port_and_accepting_reopens_it_on_the_same_port()
    {
        using var live = await ConnectAsync();
        _proxy.RefuseNewConnections = true;

        var ex = await Should.ThrowAsync<SocketException>(async () =>
        {
            using var c = new TcpClient();
            await c.ConnectAsync(_proxy.EndPoint, Ct);
        });
        ex.SocketErrorCode.ShouldBe(SocketError.ConnectionRefused);
        (await EchoAsync(live, "live")).ShouldBe("live");

        _proxy.RefuseNewConnections = false;
        using var again = await ConnectAsync();
        (await EchoAsync(again, "open")).ShouldBe("open");
    }

    [Fact]
    public async Task Connections_beyond_the_bound_are_reset()
    {
        await using var proxy = FaultProxy.Start(_echo.EndPoint, new FaultProxyOptions { MaxConnections = 1 });
        using var first = new TcpClient();
        await first.ConnectAsync(proxy.EndPoint, Ct);
        (await EchoAsync(first, "one")).ShouldBe("one");

        // The reset can overtake the end of connect(), so it may surface from either call.
        var error = await Should.ThrowAsync<Exception>(async () =>
        {
            using var second = new TcpClient();
            await second.ConnectAsync(proxy.EndPoint, Ct);
            _ = await second.GetStream().ReadAsync(new byte[4], Ct);
        });
        var socketError = error as SocketException ?? error.InnerException as SocketException;
        socketError.ShouldNotBeNull(error.ToString()).SocketErrorCode.ShouldBe(SocketError.ConnectionReset);
        proxy.ConnectionsRejected.ShouldBe(1);
        (await EchoAsync(first, "still")).ShouldBe("still");
    }

    [Fact]
    public void Only_loopback_targets_are_allowed()
    {
        Should.Throw<ArgumentException>(() => FaultProxy.Start(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 80)))
            .Message.ShouldStartWith("The fault proxy only forwards to loopback addresses, not 10.0.0.1.");
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(_proxy.EndPoint, Ct);
        return client;
    }

    private async Task<string> EchoAsync(TcpClient client, string text)
    {
        var stream = client.GetStream();
        var bytes = Encoding.ASCII.GetBytes(text);
        await stream.WriteAsync(bytes, Ct);
        var buffer = new byte[bytes.Length];
        await stream.ReadExactlyAsync(buffer, Ct);
        return Encoding.ASCII.GetString(buffer);
    }
}
