using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenChoreo.Tunnel;

/// <summary>
/// One established tunnel (after the Hello exchange): multiplexes requests, responses, streams and heartbeats over a
/// WebSocket. Symmetric: both sides serve handlers and invoke the peer. Ids are split by parity (agent odd, gateway
/// even) so a request and a stream never collide. One receive loop reads frames in order, so frames of one stream keep
/// their order; handlers run concurrently. Any protocol violation (bad frame, oversized frame, credit overrun) closes
/// this connection only.
/// </summary>
public sealed partial class TunnelConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly TunnelHandlers _handlers;
    private readonly TunnelConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<ulong, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _inbound = new();
    private readonly ConcurrentDictionary<ulong, TunnelStream> _streams = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _receiveEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _peerStreamWindow;
    private long _nextId;
    private long _lastReceivedTicks;
    private string? _closeReason;

    public TunnelConnection(WebSocket socket, bool isAgent, TunnelHandlers handlers, IReadOnlyCollection<string> peerCapabilities,
        int peerStreamWindow, TunnelConnectionOptions options, ILogger logger)
    {
        options.Validate();
        _socket = socket;
        _handlers = handlers;
        _options = options;
        _logger = logger;
        _time = options.TimeProvider;
        PeerCapabilities = new HashSet<string>(peerCapabilities, StringComparer.Ordinal);
        _peerStreamWindow = peerStreamWindow > 0 ? peerStreamWindow : options.StreamWindowBytes;
        _nextId = isAgent ? 1 : 2;
        _lastReceivedTicks = _time.GetTimestamp();
    }

    public IReadOnlySet<string> PeerCapabilities { get; }

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Cancelled when the connection starts closing.</summary>
    public CancellationToken Closing => _closing.Token;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>How <see cref="CloseReason"/> starts when the peer closed; the peer's own reason follows after ": ".</summary>
    public const string PeerClosedPrefix = "peer closed the connection";

    public bool IsOpen => !_closing.IsCancellationRequested;

    /// <summary>Raised (on the receive loop) for every heartbeat Ping the peer sends.</summary>
    public event Action<TunnelConnection>? HeartbeatReceived;

    internal int MaxStreamChunk => Math.Min(_options.MaxFrameBytes - FrameHeader.Size, 64 * 1024);

    internal int OpenStreamCount => _streams.Count;

    /// <summary>Runs the receive loop and the heartbeat until the connection closes; never throws for network errors.</summary>
    public async Task RunAsync(CancellationToken ct = default)
    {
        using var reg = ct.Register(static s => ((TunnelConnection)s!).Close("stopped"), this);
        var heartbeat = HeartbeatLoopAsync();
        try
        {
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Close(e is OperationCanceledException ? "stopped" : "transport error: " + e.Message);
        }
        finally
        {
            Close("receive loop ended");
            await heartbeat.ConfigureAwait(false);
            FailEverything();
            _completion.TrySetResult();
        }
    }

    /// <summary>Invokes a unary operation on the peer. Fails fast when the peer did not advertise it.</summary>
    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(TunnelOperation<TRequest, TResponse> op, TRequest request,
        TimeSpan? deadline = null, CancellationToken ct = default)
    {
        if (!PeerCapabilities.Contains(op.Name))
            throw new TunnelException(TunnelErrorCodes.Unsupported, $"The peer does not serve '{op.Name}'.");
        var limit = deadline ?? _options.DefaultRequestDeadline;
        var id = NextId();
        var call = new PendingCall<TResponse>(op.ResponseType);
        _pending[id] = call;
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token, _closing.Token);
        using var reg = linked.Token.Register(static s => ((PendingCall)s!).Cancel(), call);
        try
        {
            using var payload = new PooledBufferWriter(256);
            using (var w = new Utf8JsonWriter(payload)) JsonSerializer.Serialize(w, request, op.RequestType);
            var ms = (uint)Math.Clamp(limit.TotalMilliseconds, 1, uint.MaxValue);
            await SendFrameAsync(FrameType.Request, id, ms, op.Name, payload.WrittenMemory, linked.Token).ConfigureAwait(false);
            return await call.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (_closing.IsCancellationRequested) throw Closed();
            await TrySendCancelAsync(id).ConfigureAwait(false);
            throw new TunnelException(TunnelErrorCodes.DeadlineExceeded, $"'{op.Name}' did not complete within {limit.TotalMilliseconds:0} ms.");
        }
        catch (OperationCanceledException)
        {
            await TrySendCancelAsync(id).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Opens a stream served by the peer. The returned stream is usable at once; a refusal surfaces on read.</summary>
    public async Task<TunnelStream> OpenStreamAsync<TRequest>(TunnelStreamOperation<TRequest> op, TRequest request, CancellationToken ct = default)
    {
        if (!PeerCapabilities.Contains(op.Name))
            throw new TunnelException(TunnelErrorCodes.Unsupported, $"The peer does not serve '{op.Name}'.");
        var id = NextId();
        var stream = new TunnelStream(this, id, _peerStreamWindow, _options.StreamWindowBytes);
        _streams[id] = stream;
        using var payload = new PooledBufferWriter(256);
        using (var w = new Utf8JsonWriter(payload)) JsonSerializer.Serialize(w, request, op.RequestType);
        try
        {
            await SendFrameAsync(FrameType.StreamOpen, id, 0, op.Name, payload.WrittenMemory, ct).ConfigureAwait(false);
        }
        catch
        {
            _streams.TryRemove(id, out _);
            throw;
        }
        return stream;
    }

    /// <summary>Closes the connection (GoAway, then the WebSocket close handshake) and waits for the loops to end.</summary>
    public async Task CloseAsync(string reason, CancellationToken ct = default)
    {
        if (IsOpen)
        {
            try
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(TunnelErrorCodes.Closed, reason), TunnelFrameJson.Default.ErrorBody);
                await SendFrameAsync(FrameType.GoAway, 0, 0, null, body, ct).ConfigureAwait(false);
            }
            catch (TunnelException) { }
        }
        Close(reason, WebSocketCloseStatus.NormalClosure);
        await Completion.WaitAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await Completion.ConfigureAwait(false);
        _socket.Dispose();
    }

    /// <summary>
    /// Starts closing: cancels everything in flight, sends a close frame with the reason, and gives the peer a moment
    /// to answer it before the socket is aborted — so the peer reads the reason (e.g. "plane deleted").
    /// </summary>
    public void Close(string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null) return;
        LogClosing(_logger, reason);
        try { _closing.Cancel(); } catch (ObjectDisposedException) { }
        _ = CloseSocketAsync(status, reason);
    }

    /// <summary>How long a closing side waits for the peer's close frame before aborting.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    private async Task CloseSocketAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var cts = new CancellationTokenSource(CloseGrace, _time);
                await _sendLock.WaitAsync(cts.Token).ConfigureAwait(false);
                try
                {
                    var description = reason.Length > 100 ? reason[..100] : reason;
                    await _socket.CloseOutputAsync(status, description, cts.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
                // The receive loop ends when the peer's close frame arrives; a stalled peer gets only the grace period.
                await _receiveEnded.Task.WaitAsync(CloseGrace, _time).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
        }
        finally
        {
            _socket.Abort();
        }
    }

    internal async ValueTask SendFrameAsync(FrameType type, ulong id, uint argument, string? op, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var opLength = op?.Length ?? 0;
        var size = FrameHeader.Size + opLength + payload.Length;
        if (size > _options.MaxFrameBytes)
            throw new TunnelException(TunnelErrorCodes.FrameTooLarge, $"A {type} frame of {size} bytes exceeds the limit of {_options.MaxFrameBytes} bytes.");
        if (_closing.IsCancellationRequested) throw Closed();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            new FrameHeader(type, opLength, payload.Length, id, argument).Write(buffer);
            if (op is not null) Encoding.ASCII.GetBytes(op, buffer.AsSpan(FrameHeader.Size));
            payload.Span.CopyTo(buffer.AsSpan(FrameHeader.Size + opLength));
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (_closing.IsCancellationRequested) throw Closed();
                // Never cancel a send in progress: a cancelled WebSocket send aborts the whole socket, and one caller's
                // deadline must not kill everyone's connection. A dead peer is handled by the heartbeat watchdog.
                await _socket.SendAsync(buffer.AsMemory(0, size), WebSocketMessageType.Binary, true, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Close("send failed: " + e.Message);
            throw Closed();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads frames in order. An idle connection holds no receive buffer: it waits for the next message with a zero-byte
    /// read, then rents a buffer (large enough for a whole stream chunk, so data frames are read in one piece) only
    /// until the frame is dispatched.
    /// </summary>
    private async Task ReceiveLoopAsync()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // Not cancelled on close: a cancelled receive aborts the socket before the close frame is out. Closing
                // ends it instead (the peer's close frame, or the abort after the grace period).
                var result = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (!AcceptMessageType(result)) return;
                buffer = ArrayPool<byte>.Shared.Rent(Math.Min(MaxStreamChunk + FrameHeader.Size, _options.MaxFrameBytes));
                var count = 0;
                while (!result.EndOfMessage)
                {
                    if (count == buffer.Length)
                    {
                        if (buffer.Length >= _options.MaxFrameBytes)
                        {
                            ProtocolViolation(TunnelErrorCodes.FrameTooLarge, $"frame larger than {_options.MaxFrameBytes} bytes", WebSocketCloseStatus.MessageTooBig);
                            return;
                        }
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxFrameBytes));
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var room = Math.Min(buffer.Length, _options.MaxFrameBytes) - count;
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count, room), CancellationToken.None).ConfigureAwait(false);
                    if (!AcceptMessageType(result)) return;
                    count += result.Count;
                    if (!result.EndOfMessage && count >= _options.MaxFrameBytes)
                    {
                        ProtocolViolation(TunnelErrorCodes.FrameTooLarge, $"frame larger than {_options.MaxFrameBytes} bytes", WebSocketCloseStatus.MessageTooBig);
                        return;
                    }
                }

                // While closing, frames are read (so the peer's close frame is seen) but no longer acted on.
                var closing = _closing.IsCancellationRequested;
                if (!closing) Volatile.Write(ref _lastReceivedTicks, _time.GetTimestamp());
                var keepGoing = closing || Dispatch(buffer.AsSpan(0, count));
                ArrayPool<byte>.Shared.Return(buffer); // Dispatch copies what outlives it
                buffer = null;
                if (!keepGoing) return;
            }
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            _receiveEnded.TrySetResult();
        }
    }

    /// <summary>False (and the connection closing) for a close or text message.</summary>
    private bool AcceptMessageType(ValueWebSocketReceiveResult result)
    {
        if (result.MessageType == WebSocketMessageType.Close)
        {
            // The peer's reason matters to the agent (e.g. "plane deleted" means decommission).
            Close(_socket.CloseStatusDescription is { Length: > 0 } why ? $"{PeerClosedPrefix}: {why}" : PeerClosedPrefix);
            return false;
        }
        if (result.MessageType == WebSocketMessageType.Text)
        {
            ProtocolViolation(TunnelErrorCodes.ProtocolError, "text message", WebSocketCloseStatus.InvalidMessageType);
            return false;
        }
        return true;
    }

    /// <summary>Handles one frame; returns false when the connection must close.</summary>
    private bool Dispatch(ReadOnlySpan<byte> frame)
    {
        if (FrameHeader.TryRead(frame, out var h) is { } error)
        {
            ProtocolViolation(TunnelErrorCodes.ProtocolError, error, WebSocketCloseStatus.ProtocolError);
            return false;
        }
        var op = frame.Slice(FrameHeader.Size, h.OpLength);
        var payload = frame.Slice(FrameHeader.Size + h.OpLength, h.PayloadLength);
        switch (h.Type)
        {
            case FrameType.Request:
            case FrameType.StreamOpen:
                if (IsOwnId(h.Id)) return Violation("peer used an id of this side's range");
                StartInbound(h, op, payload);
                return true;
            case FrameType.Response:
                if (_pending.TryRemove(h.Id, out var call)) call.Complete(payload);
                return true;
            case FrameType.Error:
                var err = ReadError(payload);
                if (_pending.TryRemove(h.Id, out var failed)) failed.Fail(new TunnelException(err.Code, err.Message));
                else if (_streams.TryGetValue(h.Id, out var s)) { s.OnRemoteEnd(new TunnelException(err.Code, err.Message)); ForgetStreamIfFinished(s); }
                return true;
            case FrameType.StreamData:
                if (!_streams.TryGetValue(h.Id, out var ds)) return true; // cancelled locally; late data is dropped
                return ds.OnData(payload) || Violation("stream data beyond the granted credit or after end");
            case FrameType.StreamCredit:
                if (_streams.TryGetValue(h.Id, out var cs)) cs.OnCredit(h.Argument);
                return true;
            case FrameType.StreamEnd:
                if (_streams.TryGetValue(h.Id, out var es)) { es.OnRemoteEnd(); ForgetStreamIfFinished(es); }
                return true;
            case FrameType.Cancel:
                if (_inbound.TryGetValue(h.Id, out var cts)) cts.Cancel();
                if (_streams.TryGetValue(h.Id, out var xs)) xs.Abort(new TunnelException(TunnelErrorCodes.Cancelled, "The peer cancelled the stream."));
                return true;
            case FrameType.Ping:
                HeartbeatReceived?.Invoke(this);
                _ = SendQuietlyAsync(FrameType.Pong, h.Id);
                return true;
            case FrameType.Pong:
                return true;
            case FrameType.GoAway:
                Close("peer is going away: " + ReadError(payload).Message);
                return false;
            default: // Hello/HelloAck after the handshake
                return Violation($"unexpected {h.Type} frame");
        }
    }

    private void StartInbound(FrameHeader h, ReadOnlySpan<byte> op, ReadOnlySpan<byte> payload)
    {
        var entry = _handlers.Find(op);
        var opName = Encoding.ASCII.GetString(op);
        if (entry is null || entry.IsStream != (h.Type == FrameType.StreamOpen))
        {
            _ = SendErrorQuietlyAsync(h.Id, TunnelErrorCodes.Unsupported, $"'{opName}' is not served here.");
            return;
        }
        if (_inbound.Count >= _options.MaxConcurrentInboundRequests || (entry.IsStream && _streams.Count >= _options.MaxOpenStreams))
        {
            _ = SendErrorQuietlyAsync(h.Id, TunnelErrorCodes.Unsupported, "Too many requests in flight; retry later.");
            return;
        }
        var work = entry.Bind(payload, out var error);
        if (work is null)
        {
            _ = SendErrorQuietlyAsync(h.Id, TunnelErrorCodes.InvalidArgument, error!);
            return;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        if (!entry.IsStream) cts.CancelAfter(h.Argument == 0 ? _options.DefaultRequestDeadline : TimeSpan.FromMilliseconds(h.Argument));
        if (!_inbound.TryAdd(h.Id, cts))
        {
            cts.Dispose();
            _ = SendErrorQuietlyAsync(h.Id, TunnelErrorCodes.InvalidArgument, "The id is already in use.");
            return;
        }
        TunnelStream? stream = null;
        if (entry.IsStream)
        {
            stream = new TunnelStream(this, h.Id, _peerStreamWindow, _options.StreamWindowBytes);
            _streams[h.Id] = stream;
        }
        _ = RunInboundAsync(h.Id, opName, work, stream, cts);
    }

    private async Task RunInboundAsync(ulong id, string op, Func<TunnelConnection, TunnelStream?, CancellationToken, Task<ReadOnlyMemory<byte>?>> work,
        TunnelStream? stream, CancellationTokenSource cts)
    {
        await Task.Yield(); // off the receive loop
        try
        {
            var result = await work(this, stream, cts.Token).ConfigureAwait(false);
            if (stream is null) await SendFrameAsync(FrameType.Response, id, 0, null, result ?? default, CancellationToken.None).ConfigureAwait(false);
            else await stream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (!_closing.IsCancellationRequested)
        {
            var (code, message) = e switch
            {
                TunnelException te => (te.Code, te.Message),
                OperationCanceledException when cts.IsCancellationRequested => (TunnelErrorCodes.DeadlineExceeded, $"'{op}' was cancelled or ran past its deadline."),
                _ => (TunnelErrorCodes.Internal, $"'{op}' failed on the serving side."),
            };
            if (code == TunnelErrorCodes.Internal) LogHandlerFailed(_logger, op, e);
            stream?.MarkLocalEnded();
            await SendErrorQuietlyAsync(id, code, message).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing: the peer fails its side with the connection.
        }
        finally
        {
            _inbound.TryRemove(id, out _);
            cts.Dispose();
            if (stream is not null) ForgetStreamIfFinished(stream);
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        ulong n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                var silent = _time.GetElapsedTime(Volatile.Read(ref _lastReceivedTicks));
                if (silent > _options.HeartbeatInterval * 2)
                {
                    Close($"no frame from the peer for {silent.TotalMilliseconds:0} ms (heartbeat lost)", WebSocketCloseStatus.PolicyViolation);
                    return;
                }
                await SendQuietlyAsync(FrameType.Ping, ++n).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal void ForgetStreamIfFinished(TunnelStream stream)
    {
        if (stream.IsFinished) _streams.TryRemove(stream.Id, out _);
    }

    private bool Violation(string message)
    {
        ProtocolViolation(TunnelErrorCodes.ProtocolError, message, WebSocketCloseStatus.ProtocolError);
        return false;
    }

    private void ProtocolViolation(string code, string message, WebSocketCloseStatus status)
    {
        LogProtocolViolation(_logger, code, message);
        Close($"{code}: {message}", status);
    }

    private void FailEverything()
    {
        foreach (var (id, call) in _pending)
            if (_pending.TryRemove(id, out _)) call.Fail(Closed());
        foreach (var (_, stream) in _streams) stream.Abort(Closed());
        _streams.Clear();
    }

    private TunnelException Closed() =>
        new(TunnelErrorCodes.Closed, "The tunnel connection is closed" + (CloseReason is { } r ? $" ({r})." : "."));

    private bool IsOwnId(ulong id) => (id & 1) == ((ulong)Interlocked.Read(ref _nextId) & 1);

    private ulong NextId() => (ulong)Interlocked.Add(ref _nextId, 2) - 2;

    private static ErrorBody ReadError(ReadOnlySpan<byte> payload) =>
        TunnelHandlers.TryDeserialize(payload, TunnelFrameJson.Default.ErrorBody, out var body, out _) ? body : new ErrorBody(TunnelErrorCodes.Internal, "(unreadable error)");

    private async Task TrySendCancelAsync(ulong id)
    {
        if (!_closing.IsCancellationRequested) await SendQuietlyAsync(FrameType.Cancel, id).ConfigureAwait(false);
    }

    private async Task SendQuietlyAsync(FrameType type, ulong id)
    {
        try
        {
            await SendFrameAsync(type, id, 0, null, default, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or OperationCanceledException)
        {
        }
    }

    private async Task SendErrorQuietlyAsync(ulong id, string code, string message)
    {
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(code, message), TunnelFrameJson.Default.ErrorBody);
            await SendFrameAsync(FrameType.Error, id, 0, null, body, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TunnelException or OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 2160, Level = LogLevel.Debug, Message = "Tunnel connection closing: {Reason}")]
    private static partial void LogClosing(ILogger logger, string reason);

    [LoggerMessage(EventId = 2161, Level = LogLevel.Warning, Message = "Tunnel protocol violation ({Code}): {Detail}; closing the connection")]
    private static partial void LogProtocolViolation(ILogger logger, string code, string detail);

    [LoggerMessage(EventId = 2162, Level = LogLevel.Error, Message = "Tunnel handler for '{Op}' failed")]
    private static partial void LogHandlerFailed(ILogger logger, string op, Exception e);
}
