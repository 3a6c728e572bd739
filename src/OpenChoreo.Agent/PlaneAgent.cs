using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Agent;

/// <summary>
/// The agent loop: dial the gateway (mutual TLS, server verified against the trust bundle), Hello, resync, serve,
/// renew the certificate at 2/3 of its lifetime; on any failure wait an exponential, jittered backoff (cap 30 s) and
/// dial again. Desired state is level-based: every (re)connect starts with a resync, so nothing is lost while away.
/// </summary>
public sealed partial class PlaneAgent
{
    private readonly PlaneAgentOptions _options;
    private readonly AgentCredentials _credentials;
    private readonly IReleaseRuntime _runtime;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TunnelHandlers _handlers;
    private readonly Backoff _backoff;
    private volatile TunnelConnection? _current;
    private int _connects;
    private readonly SemaphoreSlim _reportGate = new(1, 1);

    public PlaneAgent(PlaneAgentOptions options, AgentCredentials credentials, IReleaseRuntime runtime, ILoggerFactory loggers)
    {
        _options = options;
        _credentials = credentials;
        _runtime = runtime;
        _loggers = loggers;
        _logger = loggers.CreateLogger<PlaneAgent>();
        _backoff = new Backoff(options.InitialBackoff, options.MaxBackoff);
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
        _runtime.Changed += () => _ = ReportStatusAsync();
    }

    /// <summary>The live connection, if any.</summary>
    public TunnelConnection? Connection => _current;

    /// <summary>Successful connections so far (handshake completed).</summary>
    public int ConnectCount => Volatile.Read(ref _connects);

    /// <summary>The most recent reason a dial or a connection failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Delays waited between attempts, newest last (bounded): lets tests check the backoff.</summary>
    public IReadOnlyList<TimeSpan> RecentDelays => _delays.ToArray();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _delays = new();

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or TunnelException or IOException or HttpRequestException or OperationCanceledException
                or System.Security.Authentication.AuthenticationException or InvalidOperationException)
            {
                LastError = e.Message;
                LogConnectFailed(_logger, e.Message);
            }
            if (_planeDeleted)
            {
                await DecommissionAsync(ct).ConfigureAwait(false);
                return;
            }
            var delay = _backoff.Next();
            _delays.Enqueue(delay);
            while (_delays.Count > 32) _delays.TryDequeue(out _);
            try
            {
                await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
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

    private async Task RunOnceAsync(CancellationToken ct)
    {
        var url = _options.GatewayUrl;
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
        await using var connection = new TunnelConnection(socket, isAgent: true, _handlers, ack.Capabilities, ack.StreamWindowBytes, connOptions, _loggers.CreateLogger<TunnelConnection>());
        var run = connection.RunAsync(ct);
        _current = connection;
        Interlocked.Increment(ref _connects);
        _backoff.Reset();
        LogConnected(_logger, url.ToString(), ack.GatewayReplica);
        try
        {
            var held = await _runtime.ListAsync(ct).ConfigureAwait(false);
            await connection.InvokeAsync(TunnelOperations.Resync, new ResyncRequest(held), ct: ct).ConfigureAwait(false);
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
            _current = null;
            LastError = connection.CloseReason;
            LogDisconnected(_logger, connection.CloseReason ?? "");
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
        if (_current is not { IsOpen: true } connection) return;
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

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Disconnected from the cluster gateway: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Could not connect to the cluster gateway: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Agent certificate renewed; it expires {NotAfter:u}")]
    private static partial void LogRenewed(ILogger logger, DateTime notAfter);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Agent certificate renewal failed: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "The control plane deleted this agent's plane: removed the {Count} release(s) it ran and stopped")]
    private static partial void LogDecommissioned(ILogger logger, int count);
}
