using System.Net;
using System.Net.Sockets;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// The stable 127.0.0.1 port of one Service port: a TCP relay to the published ports of the ready replicas, chosen
/// round-robin per connection. Replicas come and go on random host ports; the gateway keeps one address.
/// </summary>
internal sealed class ServiceProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RetryConnectTimeout = TimeSpan.FromSeconds(1);
    private volatile int[] _backends = [];
    private int _next;

    public ServiceProxy(int preferredPort)
    {
        _listener = Bind(preferredPort);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptLoopAsync();
    }

    public int Port { get; }

    public IReadOnlyList<int> Backends => _backends;

    public void SetBackends(IEnumerable<int> hostPorts) => _backends = [.. hostPorts.Order()];

    private static TcpListener Bind(int preferredPort)
    {
        if (preferredPort > 0)
        {
            var listener = new TcpListener(IPAddress.Loopback, preferredPort);
            try { listener.Start(); return listener; }
            catch (SocketException) { listener.Dispose(); }
        }
        var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return any;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        // Nothing has been read from the client before the upstream connects, so a refused or silent connect is retried
        // on another backend: a replica that just went away costs the caller a retry, not an error. The set is re-read
        // on each attempt (it may have changed meanwhile).
        var tried = new HashSet<int>();
        var turn = Interlocked.Increment(ref _next);
        while (!_stop.IsCancellationRequested)
        {
            var backends = _backends;
            var candidates = backends.Where(p => !tried.Contains(p)).ToArray();
            if (candidates.Length == 0) return;
            var port = candidates[(int)((uint)turn % (uint)candidates.Length)];
            tried.Add(port);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                // On loopback a live listener answers at once; a replica being torn down can swallow the SYN instead of
                // refusing it. Short when another backend is left to try, longer for the last one.
                connect.CancelAfter(candidates.Length > 1 ? RetryConnectTimeout : ConnectTimeout);
                await upstream.ConnectAsync(IPAddress.Loopback, port, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                upstream.Dispose();
                continue;
            }
            using (upstream)
            {
                try
                {
                    await using var a = new NetworkStream(client, ownsSocket: false);
                    await using var b = new NetworkStream(upstream, ownsSocket: false);
                    await Task.WhenAll(PumpAsync(a, b, upstream), PumpAsync(b, a, client)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException) { }
            }
            return;
        }
    }

    private async Task PumpAsync(Stream from, Stream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token).ConfigureAwait(false);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}
