using System.Net;
using System.Net.Sockets;

namespace OpenChoreo.Testing;

/// <summary>A loopback TCP server that writes back every byte it receives; counts connections and bytes.</summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private long _connectionsAccepted, _bytesReceived;

    private EchoServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public static EchoServer Start() => new();

    public IPEndPoint EndPoint { get; }
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connectionsAccepted);
                lock (_connections) _connections.Add(EchoAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        using (socket)
        {
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    Interlocked.Add(ref _bytesReceived, n);
                    await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] pending;
        lock (_connections) pending = [.. _connections];
        await Task.WhenAll(pending).ConfigureAwait(false);
        _stop.Dispose();
    }
}
