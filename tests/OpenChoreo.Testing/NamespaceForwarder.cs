using System.Net;
using System.Net.Sockets;

namespace OpenChoreo.Testing;

/// <summary>
/// Lets a test in its own network namespace reach a server inside a <see cref="NetworkNamespace"/>: listens on a free
/// 127.0.0.1 port here and relays each connection, byte for byte, to <c>Target</c> dialled from inside the namespace.
/// TLS passes through untouched (the client still verifies the server; 127.0.0.1 must be one of its names).
/// </summary>
public sealed class NamespaceForwarder : IAsyncDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly IPEndPoint _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _relays = [];

    private NamespaceForwarder(NetworkNamespace ns, IPEndPoint target)
    {
        _ns = ns;
        _target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public static NamespaceForwarder Start(NetworkNamespace ns, IPEndPoint target) => new(ns, target);

    /// <summary>The loopback address to connect to.</summary>
    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                lock (_relays)
                {
                    _relays.RemoveAll(t => t.IsCompleted);
                    _relays.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        Socket? upstream = null;
        try
        {
            upstream = _ns.CreateSocket(_target.AddressFamily);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await upstream.ConnectAsync(_target, timeout.Token).ConfigureAwait(false);
            var up = PumpAsync(client, upstream);
            var down = PumpAsync(upstream, client);
            // Either side ending ends the relay (closing both sockets ends the other pump).
            await Task.WhenAny(up, down).ConfigureAwait(false);
            client.Dispose();
            upstream.Dispose();
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The peer or the test went away.
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] relays;
        lock (_relays) relays = [.. _relays];
        await Task.WhenAll(relays).ConfigureAwait(false);
        _stop.Dispose();
    }
}
