using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Gateway;

/// <summary>
/// The control plane's side of the tunnel: admits agent connections (identity from the verified client certificate
/// only), serves the agent→gateway operations, and lets controllers invoke typed operations on a plane.
/// </summary>
public sealed partial class ClusterGateway
{
    public const string ConnectPath = "/agent/v1/connect";

    /// <summary>The close reason an agent receives when its plane resource is deleted: it decommissions itself.</summary>
    public const string PlaneDeletedReason = "plane deleted";
    public static readonly string Version = typeof(ClusterGateway).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly PlaneDirectory _planes;
    private readonly AgentRegistry _registry;
    private readonly PlaneStatusTracker _status;
    private readonly AgentCertificates _certificates;
    private readonly IDesiredReleases _desired;
    private readonly ClusterGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterGateway> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TunnelHandlers _handlers;
    private readonly ConcurrentDictionary<TunnelConnection, AgentSession> _sessions = new();

    public ClusterGateway(PlaneDirectory planes, AgentRegistry registry, PlaneStatusTracker status, AgentCertificates certificates,
        IDesiredReleases desired, IOptions<ClusterGatewayOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _planes = planes;
        _registry = registry;
        _status = status;
        _certificates = certificates;
        _desired = desired;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ClusterGateway>();
        _handlers = new TunnelHandlers()
            .Map(TunnelOperations.Ping, (_, _, _) => ValueTask.FromResult(new PingReply(_time.GetUtcNow())))
            .Map(TunnelOperations.Resync, ResyncAsync)
            .Map(TunnelOperations.ReportStatus, ReportStatusAsync)
            .Map(TunnelOperations.RenewCertificate, RenewAsync);
        _planes.PlaneGone += OnPlaneGone;
    }

    public AgentRegistry Registry => _registry;

    /// <summary>Raised for every status report an agent pushes (the release controller subscribes).</summary>
    public event Action<PlaneIdentity, StatusReport>? StatusReported;

    /// <summary>Where status reports are written (release delivery); the agent's call completes after it.</summary>
    public Func<PlaneIdentity, StatusReport, CancellationToken, Task>? StatusSink { get; set; }

    internal TunnelConnectionOptions ConnectionOptions => new()
    {
        MaxFrameBytes = _options.MaxFrameBytes,
        HeartbeatInterval = _options.HeartbeatInterval,
        TimeProvider = _time,
    };

    public bool IsConnected(PlaneIdentity plane) => _registry.Find(plane) is not null;

    /// <summary>Invokes an operation on a plane's agent through a connection this replica holds.</summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(PlaneIdentity plane, TunnelOperation<TRequest, TResponse> op, TRequest request,
        TimeSpan? deadline = null, CancellationToken ct = default)
    {
        var session = _registry.Find(plane) ?? throw NotConnected(plane);
        return session.Connection.InvokeAsync(op, request, deadline, ct);
    }

    public Task<TunnelStream> OpenStreamAsync<TRequest>(PlaneIdentity plane, TunnelStreamOperation<TRequest> op, TRequest request, CancellationToken ct = default)
    {
        var session = _registry.Find(plane) ?? throw NotConnected(plane);
        return session.Connection.OpenStreamAsync(op, request, ct);
    }

    /// <summary>The WebSocket endpoint. Kestrel already verified the certificate in the handshake.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var cert = context.Connection.ClientCertificate;
        if (cert is null || !PlaneIdentity.TryFromCertificate(cert, out var identity, out _))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized; // unreachable with RequireCertificate
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var ct = context.RequestAborted;
        var entry = await _planes.LoadAsync(identity, ct).ConfigureAwait(false);
        if (entry is null || entry.Deleting)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero }).ConfigureAwait(false);
        var options = ConnectionOptions;
        HelloMessage hello;
        try
        {
            hello = await TunnelHandshake.ReceiveHelloAsync(socket, options, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or WebSocketException or OperationCanceledException or IOException)
        {
            LogHandshakeFailed(_logger, identity.ToString(), e.Message);
            if (e is TunnelException te) await TunnelHandshake.RefuseAsync(socket, te.Code, te.Message, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        var connectionId = Guid.NewGuid().ToString("N");
        await TunnelHandshake.SendAckAsync(socket, new HelloAckMessage
        {
            Capabilities = [.. _handlers.Capabilities],
            HeartbeatIntervalMs = (int)_options.HeartbeatInterval.TotalMilliseconds,
            MaxFrameBytes = _options.MaxFrameBytes,
            StreamWindowBytes = options.StreamWindowBytes,
            ConnectionId = connectionId,
            GatewayReplica = _options.EffectiveReplicaId,
        }, ct).ConfigureAwait(false);

        var connection = new TunnelConnection(socket, isAgent: false, _handlers, hello.Capabilities, hello.StreamWindowBytes, options, _loggers.CreateLogger<TunnelConnection>());
        var session = new AgentSession(identity, connectionId, Truncate(hello.AgentVersion, 64), connection, _time.GetUtcNow());
        _sessions[connection] = session;
        _registry.Add(session);
        connection.HeartbeatReceived += _ => { _status.HeartbeatAsync(session, CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default); };
        var run = connection.RunAsync(ct);
        LogConnected(_logger, identity.ToString(), connectionId);
        try
        {
            // The plane may have gone between the check and the registration: re-check so no connection outlives it.
            if (_planes.Find(identity) is not { Deleting: false } now || now.Uid != entry.Uid) connection.Close(PlaneDeletedReason);
            else
            {
                await _status.ConnectedAsync(session, CancellationToken.None).ConfigureAwait(false);
                _ = FetchRuntimeInfoAsync(session);
                if (_replicas?.Current is { Count: > 0 } replicas) _ = AnnounceReplicasAsync(session, replicas);
                _ = DeliveryLoopAsync(session);
            }
            await run.ConfigureAwait(false);
        }
        finally
        {
            _registry.Remove(session);
            _sessions.TryRemove(connection, out _);
            LogDisconnected(_logger, identity.ToString(), connectionId, connection.CloseReason ?? "");
            await _status.DisconnectedAsync(session, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private GatewayReplicaDirectory? _replicas;

    /// <summary>Announces the live replicas to every agent at connect and whenever the set changes.</summary>
    internal void UseReplicaDirectory(GatewayReplicaDirectory directory)
    {
        _replicas = directory;
        directory.Changed += replicas =>
        {
            foreach (var s in _registry.All()) _ = AnnounceReplicasAsync(s, replicas);
        };
    }

    private async Task AnnounceReplicasAsync(AgentSession session, IReadOnlyList<GatewayReplica> replicas)
    {
        if (!session.Connection.PeerCapabilities.Contains(TunnelOperations.GatewayReplicas.Name)) return;
        try
        {
            await session.Connection.InvokeAsync(TunnelOperations.GatewayReplicas, new GatewayReplicasMessage(replicas), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or OperationCanceledException)
        {
            LogAnnounceFailed(_logger, session.Identity.ToString(), e.Message);
        }
    }

    private async Task FetchRuntimeInfoAsync(AgentSession session)
    {
        if (!session.Connection.PeerCapabilities.Contains(TunnelOperations.RuntimeInfo.Name)) return;
        try
        {
            var info = await session.Connection.InvokeAsync(TunnelOperations.RuntimeInfo, Empty.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            session.Runtime = info;
            await _status.RuntimeInfoAsync(session.Identity, info, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TunnelException e)
        {
            LogRuntimeInfoFailed(_logger, session.Identity.ToString(), e.Message);
        }
    }

    private void OnPlaneGone(PlaneIdentity plane)
    {
        foreach (var s in _registry.Sessions(plane)) _ = TellDeletedThenCloseAsync(s);
    }

    /// <summary>
    /// Tells the agent its plane is gone (so it removes what it runs: nothing is left behind on the plane), then closes.
    /// The notice is bounded well within the one second a deleted plane's connections may live.
    /// </summary>
    private async Task TellDeletedThenCloseAsync(AgentSession session)
    {
        if (session.Connection.PeerCapabilities.Contains(TunnelOperations.PlaneDeleted.Name))
        {
            try
            {
                await session.Connection.InvokeAsync(TunnelOperations.PlaneDeleted, Empty.Instance, TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TunnelException or OperationCanceledException)
            {
                // Closed anyway below; the agent's certificate no longer works either.
            }
        }
        session.Connection.Close(PlaneDeletedReason, WebSocketCloseStatus.PolicyViolation);
    }

    private AgentSession SessionOf(TunnelConnection connection) =>
        _sessions.TryGetValue(connection, out var s) ? s : throw new TunnelException(TunnelErrorCodes.Closed, "The connection is not registered.");

    private async ValueTask<ResyncReply> ResyncAsync(ResyncRequest request, TunnelConnection connection, CancellationToken ct)
    {
        var session = SessionOf(connection);
        session.Held.Clear();
        foreach (var h in request.Releases) session.Held[h.Name] = h;
        session.Delivers = request.Deliver;
        session.HeldKnown = true;
        var desired = await _desired.GetAsync(session.Identity, ct).ConfigureAwait(false);
        session.RequestSync();
        if (desired is null) return new ResyncReply(0, 0);
        var (apply, delete) = Diff(desired, session.Held);
        return new ResyncReply(apply.Count, delete.Count);
    }

    /// <summary>Asks every session of <paramref name="plane"/> on this replica to compare desired and held state again.</summary>
    public void RequestSync(PlaneIdentity plane)
    {
        foreach (var s in _registry.Sessions(plane)) s.RequestSync();
    }

    /// <summary>Asks every session on this replica to compare desired and held state again.</summary>
    public void RequestSyncAll()
    {
        foreach (var s in _registry.All()) s.RequestSync();
    }

    /// <summary>
    /// Raised after a delivery pass brought a session's agent to the desired state; the argument lists the releases the
    /// agent holds now (release delivery turns "no longer held" into the delete confirmation).
    /// </summary>
    public event Action<PlaneIdentity, IReadOnlyCollection<string>>? Synced;

    private static (List<ApplyReleaseRequest> Apply, List<string> Delete) Diff(IReadOnlyList<ApplyReleaseRequest> desired, IReadOnlyDictionary<string, HeldRelease> held)
    {
        var apply = desired.Where(d => !held.TryGetValue(d.Name, out var h) || h.Checksum != d.Checksum || h.Generation != d.Generation).ToList();
        var wanted = desired.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var delete = held.Keys.Where(n => !wanted.Contains(n)).ToList();
        return (apply, delete);
    }

    /// <summary>
    /// One loop per session, so deliveries to an agent never overtake each other: each pass reads the desired state
    /// fresh and sends only what differs from what the agent holds. Passes are coalesced (a burst of changes is one pass).
    /// A failed pass is retried after a pause; the connection closing ends the loop (the next connection resyncs).
    /// </summary>
    private async Task DeliveryLoopAsync(AgentSession session)
    {
        await Task.Yield();
        var ct = session.Connection.Closing;
        try
        {
            while (await session.SyncRequests.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                session.SyncRequests.Reader.TryRead(out _);
                if (!session.HeldKnown || !session.Delivers) continue;
                try
                {
                    await DeliverOnceAsync(session, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    LogDeliveryFailed(_logger, session.Identity.ToString(), e.Message);
                    _ = RetryLaterAsync(session, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RetryLaterAsync(AgentSession session, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), _time, ct).ConfigureAwait(false);
            session.RequestSync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeliverOnceAsync(AgentSession session, CancellationToken ct)
    {
        var desired = await _desired.GetAsync(session.Identity, ct).ConfigureAwait(false);
        if (desired is null) return;
        var (apply, delete) = Diff(desired, session.Held);
        string? failure = null;
        // One release the agent refuses must not hold back the others: go on, then retry the pass.
        foreach (var r in apply)
        {
            try
            {
                var reply = await session.Connection.InvokeAsync(TunnelOperations.ApplyRelease, r, ct: ct).ConfigureAwait(false);
                session.Held[r.Name] = new HeldRelease(r.Name, reply.Generation, reply.Checksum);
                LogApplied(_logger, r.Name, session.Identity.ToString(), r.Generation);
            }
            catch (TunnelException e) when (session.Connection.IsOpen)
            {
                failure = $"apply {r.Name}: {e.Message}";
            }
        }
        foreach (var n in delete)
        {
            try
            {
                await session.Connection.InvokeAsync(TunnelOperations.DeleteRelease, new DeleteReleaseRequest(n), ct: ct).ConfigureAwait(false);
                session.Held.TryRemove(n, out _);
                LogDeleted(_logger, n, session.Identity.ToString());
            }
            catch (TunnelException e) when (session.Connection.IsOpen)
            {
                failure = $"delete {n}: {e.Message}";
            }
        }
        Synced?.Invoke(session.Identity, [.. session.Held.Keys]);
        if (failure is not null) throw new TunnelException(TunnelErrorCodes.Internal, failure);
    }

    private async ValueTask<Empty> ReportStatusAsync(StatusReport report, TunnelConnection connection, CancellationToken ct)
    {
        var session = SessionOf(connection);
        StatusReported?.Invoke(session.Identity, report);
        // Awaited, so the agent's next report (it sends one at a time) is written after this one.
        if (StatusSink is { } sink) await sink(session.Identity, report, ct).ConfigureAwait(false);
        return Empty.Instance;
    }

    private ValueTask<RenewCertificateReply> RenewAsync(RenewCertificateRequest request, TunnelConnection connection, CancellationToken ct)
    {
        var session = SessionOf(connection);
        var entry = _planes.Find(session.Identity) ?? throw new TunnelException(TunnelErrorCodes.PermissionDenied, "The plane no longer exists.");
        if (entry.Deleting) throw new TunnelException(TunnelErrorCodes.PermissionDenied, "The plane is being deleted.");
        try
        {
            var issued = _certificates.Sign(request.CsrPem, session.Identity, entry.Uid);
            LogRenewed(_logger, session.Identity.ToString(), issued.Certificate.NotAfter);
            return ValueTask.FromResult(new RenewCertificateReply(issued.ChainPem, _certificates.Ca.TrustBundle.ToPem()));
        }
        catch (CertificateRequestRejectedException e)
        {
            throw new TunnelException(TunnelErrorCodes.InvalidArgument, e.Message);
        }
    }

    private static TunnelException NotConnected(PlaneIdentity plane) =>
        new(TunnelErrorCodes.NotFound, $"No agent of {plane} is connected to this gateway replica.");

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(EventId = 2130, Level = LogLevel.Information, Message = "Agent of {Plane} connected ({ConnectionId})")]
    private static partial void LogConnected(ILogger logger, string plane, string connectionId);

    [LoggerMessage(EventId = 2131, Level = LogLevel.Information, Message = "Agent of {Plane} disconnected ({ConnectionId}): {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string plane, string connectionId, string reason);

    [LoggerMessage(EventId = 2132, Level = LogLevel.Warning, Message = "Tunnel handshake with {Plane} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string plane, string reason);

    [LoggerMessage(EventId = 2133, Level = LogLevel.Warning, Message = "Runtime info of {Plane} unavailable: {Reason}")]
    private static partial void LogRuntimeInfoFailed(ILogger logger, string plane, string reason);

    [LoggerMessage(EventId = 2134, Level = LogLevel.Warning, Message = "Delivery to {Plane} incomplete (retrying): {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string plane, string reason);

    [LoggerMessage(EventId = 2136, Level = LogLevel.Debug, Message = "Could not announce the gateway replicas to {Plane}: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string plane, string reason);

    [LoggerMessage(EventId = 2135, Level = LogLevel.Information, Message = "Renewed the agent certificate of {Plane}; it expires {NotAfter:u}")]
    private static partial void LogRenewed(ILogger logger, string plane, DateTime notAfter);

    [LoggerMessage(EventId = 3250, Level = LogLevel.Debug, Message = "Applied release {Release} generation {Generation} on {Plane}")]
    private static partial void LogApplied(ILogger logger, string release, string plane, long generation);

    [LoggerMessage(EventId = 3251, Level = LogLevel.Debug, Message = "Deleted release {Release} on {Plane}")]
    private static partial void LogDeleted(ILogger logger, string release, string plane);
}
