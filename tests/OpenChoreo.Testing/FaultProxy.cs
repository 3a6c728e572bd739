using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace OpenChoreo.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1:0 that forwards to a loopback target and can be switched at runtime to misbehave:
/// add latency, stall forwarding without closing, reset (RST) or drop (FIN) live connections, drop or refuse new ones.
/// Counts connections and bytes so tests can wait on state instead of sleeping.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly FaultProxyOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Connection> _connections = [];
    private readonly List<Task> _tasks = [];
    private Socket? _listener;
    private TaskCompletionSource _resume = NewResume();
    private volatile bool _stalled;
    private long _latencyTicks;
    private long _accepted, _dropped, _rejected, _fromClient, _toTarget, _fromTarget, _toClient;

    private FaultProxy(IPEndPoint target, FaultProxyOptions options)
    {
        Target = target;
        _options = options;
        _listener = Listen(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        Track(AcceptLoopAsync(_listener));
    }

    /// <summary>Starts a proxy to <paramref name="target"/>, which must be a loopback address.</summary>
    public static FaultProxy Start(IPEndPoint target, FaultProxyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IPAddress.IsLoopback(target.Address))
            throw new ArgumentException($"The fault proxy only forwards to loopback addresses, not {target.Address}.", nameof(target));
        options ??= new();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferSize, 1);
        return new FaultProxy(target, options);
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    public IPEndPoint Target { get; }

    /// <summary>Delay added before each chunk is forwarded, in either direction.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>While true, data read from either side is held: nothing is forwarded and nothing is closed.</summary>
    public bool Stalled
    {
        get => _stalled;
        set
        {
            lock (_gate)
            {
                if (value == _stalled) return;
                _stalled = value;
                if (value) _resume = NewResume();
                else _resume.TrySetResult();
            }
        }
    }

    /// <summary>While true, new connections are accepted and closed at once (live ones are untouched).</summary>
    public bool DropNewConnections { get; set; }

    /// <summary>While true, the port is not listening: connecting fails with "connection refused".</summary>
    public bool RefuseNewConnections
    {
        get { lock (_gate) return _listener is null; }
        set
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
                if (value && _listener is not null)
                {
                    _listener.Dispose();
                    _listener = null;
                }
                else if (!value && _listener is null)
                {
                    _listener = Listen(EndPoint);
                    Track(AcceptLoopAsync(_listener));
                }
            }
        }
    }

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);
    public int ActiveConnections { get { lock (_gate) return _connections.Count; } }
    public long ConnectionsDropped => Interlocked.Read(ref _dropped);
    public long ConnectionsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Bytes read from clients / written to the target: the difference is what is being held back.</summary>
    public long BytesFromClient => Interlocked.Read(ref _fromClient);
    public long BytesToTarget => Interlocked.Read(ref _toTarget);
    public long BytesFromTarget => Interlocked.Read(ref _fromTarget);
    public long BytesToClient => Interlocked.Read(ref _toClient);

    /// <summary>Resets every live connection on both sides (RST via linger 0); returns how many.</summary>
    public int ResetConnections() => CloseAll(reset: true);

    /// <summary>Closes every live connection on both sides gracefully (FIN); returns how many.</summary>
    public int DropConnections() => CloseAll(reset: false);

    private int CloseAll(bool reset)
    {
        Connection[] all;
        lock (_gate) all = [.. _connections];
        foreach (var c in all) c.Close(reset);
        return all.Length;
    }

    private static Socket Listen(IPEndPoint at)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Rebinding the same port after RefuseNewConnections needs SO_REUSEADDR on the old and new listener.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(at);
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Track(Task task)
    {
        lock (_tasks)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // stopped, or the listener was closed to refuse connections
            }
            Interlocked.Increment(ref _accepted);
            if (DropNewConnections)
            {
                Interlocked.Increment(ref _dropped);
                Close(client);
                continue;
            }
            if (ActiveConnections >= _options.MaxConnections)
            {
                Interlocked.Increment(ref _rejected);
                Reset(client);
                continue;
            }
            Track(HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            client.NoDelay = true;
            await upstream.ConnectAsync(Target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }
        var connection = new Connection(client, upstream, _stop.Token);
        lock (_gate) _connections.Add(connection);
        try
        {
            var up = PumpAsync(connection, client, upstream, toTarget: true);
            var down = PumpAsync(connection, upstream, client, toTarget: false);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _connections.Remove(connection);
            connection.Close(reset: false);
        }
    }

    private async Task PumpAsync(Connection connection, Socket from, Socket to, bool toTarget)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        var ct = connection.Token;
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer.AsMemory(0, _options.BufferSize), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send); // pass the half-close on
                    return;
                }
                Interlocked.Add(ref toTarget ? ref _fromClient : ref _fromTarget, n);
                if (_stalled)
                {
                    Task resume;
                    lock (_gate) resume = _resume.Task;
                    await resume.WaitAsync(ct).ConfigureAwait(false);
                }
                if (Latency is { Ticks: > 0 } delay)
                    await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct).ConfigureAwait(false);
                Interlocked.Add(ref toTarget ? ref _toTarget : ref _toClient, n);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side failed: make the other side see a failure too, not a clean end of stream.
            if (!connection.IsClosed) connection.Close(reset: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    /// <summary>Graceful close: FIN to the peer.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    private static TaskCompletionSource NewResume() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            _listener?.Dispose();
            _listener = null;
            _resume.TrySetResult();
        }
        CloseAll(reset: true);
        Task[] pending;
        lock (_tasks) pending = [.. _tasks];
        await Task.WhenAll(pending).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Connection(Socket client, Socket upstream, CancellationToken stopping)
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        private int _closed;

        /// <summary>Cancelled when the connection closes, so a stalled or delayed pump ends with it.</summary>
        public CancellationToken Token => _cts.Token;

        public bool IsClosed => Volatile.Read(ref _closed) != 0;

        public void Close(bool reset)
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            _cts.Cancel();
            foreach (var s in new[] { client, upstream })
            {
                if (reset) Reset(s);
                else FaultProxy.Close(s);
            }
        }
    }
}
