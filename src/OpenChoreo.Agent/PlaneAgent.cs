using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Agent;

/// <summary>
/// The agent loop: one connection per gateway URL — the seeds given, plus every replica the gateways announce — so any
/// control-plane replica can reach the agent. Each link dials (mutual TLS, server verified against the trust bundle),
/// says Hello, resyncs and serves; on any failure it waits its own exponential, jittered backoff (cap 30 s) and dials
/// again. Exactly one connection delivers releases (its resync says <c>deliver</c>); when it is lost another takes
/// over with a fresh resync, so deliveries never race and nothing is lost. The certificate is renewed at 2/3 of its
/// lifetime over the delivering connection.
/// </summary>
public sealed partial class PlaneAgent
{
    private readonly PlaneAgentOptions _options;
    private readonly AgentCredentials _credentials;
    private readonly IReleaseRuntime _runtime;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TunnelHandlers _handlers;
    private readonly Lock _gate = new();
    private readonly List<GatewayLink> _links = [];
    private readonly List<Task> _runs = [];
    private TunnelConnection? _primary;
    private CancellationToken _running;
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connects;
    private readonly SemaphoreSlim _reportGate = new(1, 1);

    public PlaneAgent(PlaneAgentOptions options, AgentCredentials credentials, IReleaseRuntime runtime, ILoggerFactory loggers)
    {
        if (options.GatewayUrls.Count == 0) throw new ArgumentException("At least one gateway URL is required.", nameof(options));
        _options = options;
        _credentials = credentials;
        _runtime = runtime;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PlaneAgent>();
        _handlers = new TunnelHandlers()
            .Map(TunnelOperations.Ping, (_, _, _) => ValueTask.FromResult(new PingReply(_options.TimeProvider.GetUtcNow())))
            .Map(TunnelOperations.RuntimeInfo, async (_, _, ct) => await _runtime.GetInfoAsync(ct).ConfigureAwait(false))
            .Map(TunnelOperations.ApplyRelease, async (r, _, ct) => new ApplyReleaseReply(r.Name, r.Generation, r.Checksum, await _runtime.ApplyAsync(r, ct).ConfigureAwait(false)))
            .Map(TunnelOperations.DeleteRelease, async (r, _, ct) => new DeleteReleaseReply(r.Name, await _runtime.DeleteAsync(r.Name, ct).ConfigureAwait(false)))
            .Map(TunnelOperations.PlaneDeleted, (_, _, _) =>
            {
                _planeDeleted = true; // acted on once the connection is gone (the gateway closes it right after)
                return ValueTask.FromResult(Empty.Instance);
            })
            .MapStream(TunnelOperations.LogFollow, (r, stream, ct) => _runtime.FollowLogsAsync(r, chunk => stream.WriteAsync(chunk, ct), ct));
        if (options.FollowReplicas)
            _handlers.Map(TunnelOperations.GatewayReplicas, (m, _, _) =>
            {
                OnReplicasAnnounced(m);
                return ValueTask.FromResult(Empty.Instance);
            });
        _runtime.Changed += () => _ = ReportStatusAsync();
    }

    /// <summary>The delivering connection, else any live one, else null.</summary>
    public TunnelConnection? Connection
    {
        get
        {
            lock (_gate)
                return _primary is { IsOpen: true } p ? p : _links.Select(l => l.Connection).FirstOrDefault(c => c is { IsOpen: true });
        }
    }

    /// <summary>The live connections whose first resync completed, one per gateway replica reached.</summary>
    public IReadOnlyList<TunnelConnection> Connections
    {
        get
        {
            lock (_gate) return [.. _links.Select(l => l.Ready).OfType<TunnelConnection>().Where(c => c.IsOpen)];
        }
    }

    /// <summary>The gateway URLs the agent currently dials (seeds first, then announced replicas).</summary>
    public IReadOnlyList<Uri> GatewayUrls
    {
        get
        {
            lock (_gate) return [.. _links.Select(l => l.Url)];
        }
    }

    /// <summary>Successful connections so far over all links (handshake completed).</summary>
    public int ConnectCount => Volatile.Read(ref _connects);

    /// <summary>The most recent reason a dial or a connection failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Delays waited between attempts over all links, newest last (bounded): lets tests check the backoff.</summary>
    public IReadOnlyList<TimeSpan> RecentDelays => _delays.ToArray();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _delays = new();

    public async Task RunAsync(CancellationToken ct)
    {
        using var all = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (_gate)
        {
            _running = all.Token;
            foreach (var url in _options.GatewayUrls.Distinct()) StartLink(url, seed: true);
        }
        try
        {
            await _stopRequested.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await all.CancelAsync().ConfigureAwait(false);
        Task[] runs;
        lock (_gate) runs = [.. _runs];
        await Task.WhenAll(runs).ConfigureAwait(false);
        if (_planeDeleted && !ct.IsCancellationRequested) await DecommissionAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private void StartLink(Uri url, bool seed)
    {
        var link = new GatewayLink(url, seed, new Backoff(_options.InitialBackoff, _options.MaxBackoff), CancellationTokenSource.CreateLinkedTokenSource(_running));
        _links.Add(link);
        link.Run = Task.Run(() => LinkLoopAsync(link));
        _runs.Add(link.Run);
    }

    /// <summary>
    /// Follows an announced replica set: dials replicas not reached yet; a link to a replica no longer announced ends at
    /// its next failure (at once if it is not connected). Seeds stay.
    /// </summary>
    private void OnReplicasAnnounced(GatewayReplicasMessage message)
    {
        var wanted = new List<(string Replica, Uri Url)>();
        foreach (var r in message.Replicas.Take(16))
        {
            // Only wss:// is dialled, and the server is verified against the trust bundle like any seed.
            if (!Uri.TryCreate(r.Url, UriKind.Absolute, out var u) || u.Scheme != "wss" || r.Replica.Length is 0 or > 253) continue;
            wanted.Add((r.Replica, u));
        }
        lock (_gate)
        {
            if (_running.IsCancellationRequested) return;
            var reachedBySeed = _links.Where(l => l.Seed && l.Replica is not null).Select(l => l.Replica!).ToHashSet(StringComparer.Ordinal);
            var urls = wanted.Where(w => !reachedBySeed.Contains(w.Replica)).Select(w => w.Url).ToHashSet();
            foreach (var url in urls)
            {
                if (_links.Any(l => l.Url == url)) _links.First(l => l.Url == url).Wanted = true;
                else
                {
                    StartLink(url, seed: false);
                    LogReplicaAdded(_logger, url.ToString());
                }
            }
            foreach (var link in _links.Where(l => !l.Seed && !urls.Contains(l.Url)).ToList())
            {
                link.Wanted = false;
                if (link.Connection is null) RetireLink(link);
            }
        }
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private void RetireLink(GatewayLink link)
    {
        if (!_links.Remove(link)) return;
        try { link.Stop.Cancel(); } catch (ObjectDisposedException) { } // its loop already ended
        LogReplicaDropped(_logger, link.Url.ToString());
    }

    private async Task LinkLoopAsync(GatewayLink link)
    {
        var ct = link.Stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(link, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever went wrong, the link dials again after its backoff: an agent never stops on its own.
                LastError = e.Message;
                LogConnectFailed(_logger, link.Url.ToString(), e.Message);
            }
            if (_planeDeleted)
            {
                _stopRequested.TrySetResult();
                break;
            }
            if (!link.Wanted)
            {
                lock (_gate) RetireLink(link);
                break;
            }
            var delay = link.Backoff.Next();
            _delays.Enqueue(delay);
            while (_delays.Count > 32) _delays.TryDequeue(out _);
            try
            {
                await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        link.Stop.Dispose();
    }

    private volatile bool _planeDeleted;

    /// <summary>True once the control plane said this agent's plane was deleted and the agent removed what it ran.</summary>
    public bool Decommissioned { get; private set; }

    /// <summary>
    /// The plane resource was deleted: its certificate is revoked and no control plane will ever send it a delete, so
    /// the agent removes every release it runs (nothing is left behind) and stops.
    /// </summary>
    private async Task DecommissionAsync(CancellationToken ct)
    {
        var held = await _runtime.ListAsync(ct).ConfigureAwait(false);
        foreach (var r in held) await _runtime.DeleteAsync(r.Name, ct).ConfigureAwait(false);
        Decommissioned = true;
        LogDecommissioned(_logger, held.Count);
    }

    private async Task RunOnceAsync(GatewayLink link, CancellationToken ct)
    {
        var url = link.Url;
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the tunnel has its own heartbeat
        using var handler = new SocketsHttpHandler
        {
            SslOptions = TlsPolicies.MutualTlsClientOptions(url.IdnHost, _credentials.Certificate, () => _credentials.TrustBundle),
            ConnectTimeout = _options.ConnectTimeout,
        };
        using var invoker = new HttpMessageInvoker(handler);
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectTimeout.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(url, invoker, connectTimeout.Token).ConfigureAwait(false);
        }
        var connOptions = _options.Connection;
        var ack = await TunnelHandshake.ClientAsync(socket, new HelloMessage
        {
            AgentVersion = _options.AgentVersion,
            Capabilities = [.. _handlers.Capabilities],
            StreamWindowBytes = connOptions.StreamWindowBytes,
        }, connOptions, ct).ConfigureAwait(false);
        connOptions = connOptions with
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Max(50, ack.HeartbeatIntervalMs)),
            MaxFrameBytes = Math.Clamp(ack.MaxFrameBytes, 4096, connOptions.MaxFrameBytes),
        };
        link.Replica = ack.GatewayReplica;
        await using var connection = new TunnelConnection(socket, isAgent: true, _handlers, ack.Capabilities, ack.StreamWindowBytes, connOptions, _loggers.CreateLogger<TunnelConnection>());
        bool deliver;
        lock (_gate)
        {
            link.Connection = connection;
            deliver = _primary is not { IsOpen: true };
            if (deliver) _primary = connection;
        }
        var run = connection.RunAsync(ct);
        Interlocked.Increment(ref _connects);
        link.Backoff.Reset();
        LogConnected(_logger, url.ToString(), ack.GatewayReplica);
        try
        {
            var held = await _runtime.ListAsync(ct).ConfigureAwait(false);
            await connection.InvokeAsync(TunnelOperations.Resync, new ResyncRequest(held) { Deliver = deliver }, ct: ct).ConfigureAwait(false);
            link.Ready = connection;
            EnsureDeliverer();
            await ReportStatusAsync().ConfigureAwait(false);
            await RenewLoopAsync(connection, run, ct).ConfigureAwait(false);
        }
        catch (TunnelException e)
        {
            connection.Close("agent error: " + e.Message);
        }
        finally
        {
            await run.ConfigureAwait(false);
            link.Ready = null;
            link.Connection = null;
            EnsureDeliverer();
            LastError = connection.CloseReason;
            LogDisconnected(_logger, url.ToString(), connection.CloseReason ?? "");
        }
    }

    /// <summary>
    /// When the delivering connection is gone, hands delivery to another live connection (one whose first resync is
    /// done) with a fresh resync carrying <c>deliver: true</c>: that replica then compares and sends what differs.
    /// </summary>
    private void EnsureDeliverer()
    {
        TunnelConnection? next;
        lock (_gate)
        {
            if (_primary is { IsOpen: true }) return;
            _primary = next = _links.Select(l => l.Ready).FirstOrDefault(c => c is { IsOpen: true });
        }
        if (next is not null) _ = HandOverDeliveryAsync(next);
    }

    private async Task HandOverDeliveryAsync(TunnelConnection connection)
    {
        try
        {
            var held = await _runtime.ListAsync(connection.Closing).ConfigureAwait(false);
            await connection.InvokeAsync(TunnelOperations.Resync, new ResyncRequest(held) { Deliver = true }, ct: connection.Closing).ConfigureAwait(false);
            LogDeliveryMoved(_logger);
            await ReportStatusAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or OperationCanceledException)
        {
            // The replica did not take delivery: drop the connection, so its end hands delivery on again.
            connection.Close("delivery hand-over failed: " + e.Message);
        }
    }

    private async Task RenewLoopAsync(TunnelConnection connection, Task run, CancellationToken ct)
    {
        while (!run.IsCompleted)
        {
            var delay = _options.Renewal.DelayUntilRenewal(_credentials.Certificate, _options.TimeProvider);
            var wait = Task.Delay(delay, _options.TimeProvider, connection.Closing);
            await Task.WhenAny(run, wait).ConfigureAwait(false);
            if (run.IsCompleted || !connection.IsOpen) return;
            if (!ReferenceEquals(Volatile.Read(ref _primary), connection))
            {
                // Renewed once, over the delivering connection; the others look again later.
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5), _options.TimeProvider, connection.Closing)).ConfigureAwait(false);
                continue;
            }
            try
            {
                await _credentials.RenewAsync(connection, ct).ConfigureAwait(false);
                LogRenewed(_logger, _credentials.Certificate.NotAfter);
            }
            catch (TunnelException e)
            {
                LogRenewFailed(_logger, e.Message);
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5), _options.TimeProvider, connection.Closing)).ConfigureAwait(false);
            }
        }
    }

    private async Task ReportStatusAsync()
    {
        if (Connection is not { } connection) return;
        // One report at a time, each reading the state when it is sent: a slow older report never lands last.
        await _reportGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var health = await _runtime.GetHealthAsync(connection.Closing).ConfigureAwait(false);
            await connection.InvokeAsync(TunnelOperations.ReportStatus, new StatusReport { Releases = health }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or OperationCanceledException)
        {
            // Reported again after the next resync.
        }
        finally
        {
            _reportGate.Release();
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Connected to the cluster gateway {Url} (replica {Replica})")]
    private static partial void LogConnected(ILogger logger, string url, string replica);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Disconnected from the cluster gateway {Url}: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Could not connect to the cluster gateway {Url}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Agent certificate renewed; it expires {NotAfter:u}")]
    private static partial void LogRenewed(ILogger logger, DateTime notAfter);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Agent certificate renewal failed: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "The control plane deleted this agent's plane: removed the {Count} release(s) it ran and stopped")]
    private static partial void LogDecommissioned(ILogger logger, int count);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "Gateway replica {Url} announced: connecting to it too")]
    private static partial void LogReplicaAdded(ILogger logger, string url);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Gateway replica {Url} is no longer announced: dropped")]
    private static partial void LogReplicaDropped(ILogger logger, string url);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Information, Message = "Release delivery moved to another gateway replica")]
    private static partial void LogDeliveryMoved(ILogger logger);
}
