using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenChoreo.Tunnel;

/// <summary>
/// The opening exchange: the agent sends Hello (its version, capabilities and stream window), the gateway answers
/// HelloAck (its capabilities, the heartbeat interval and limits) or GoAway with the reason it refuses.
/// </summary>
public static class TunnelHandshake
{
    /// <summary>Hello and HelloAck are small; a larger first frame is refused before any parsing.</summary>
    public const int MaxHandshakeFrameBytes = 16 * 1024;

    public static async Task<HelloAckMessage> ClientAsync(WebSocket socket, HelloMessage hello, TunnelConnectionOptions options, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        await SendAsync(socket, FrameType.Hello, hello, TunnelFrameJson.Default.HelloMessage, linked.Token).ConfigureAwait(false);
        var (type, payload) = await ReceiveAsync(socket, linked.Token).ConfigureAwait(false);
        if (type == FrameType.GoAway)
        {
            var reason = JsonSerializer.Deserialize(payload, TunnelFrameJson.Default.ErrorBody);
            throw new TunnelException(reason?.Code ?? TunnelErrorCodes.PermissionDenied, "The gateway refused the connection: " + reason?.Message);
        }
        if (type != FrameType.HelloAck) throw new TunnelException(TunnelErrorCodes.ProtocolError, $"Expected HelloAck, got {type}.");
        return Deserialize(payload, TunnelFrameJson.Default.HelloAckMessage);
    }

    public static async Task<HelloMessage> ReceiveHelloAsync(WebSocket socket, TunnelConnectionOptions options, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var (type, payload) = await ReceiveAsync(socket, linked.Token).ConfigureAwait(false);
        if (type != FrameType.Hello) throw new TunnelException(TunnelErrorCodes.ProtocolError, $"Expected Hello, got {type}.");
        var hello = Deserialize(payload, TunnelFrameJson.Default.HelloMessage);
        if (hello.ProtocolVersion != FrameHeader.ProtocolVersion)
            throw new TunnelException(TunnelErrorCodes.Unsupported, $"Protocol version {hello.ProtocolVersion} is not supported (this gateway speaks {FrameHeader.ProtocolVersion}).");
        if (hello.Capabilities.Count > 256 || hello.Capabilities.Any(c => c.Length > FrameHeader.MaxOpLength))
            throw new TunnelException(TunnelErrorCodes.InvalidArgument, "The capability list is too long.");
        return hello;
    }

    public static Task SendAckAsync(WebSocket socket, HelloAckMessage ack, CancellationToken ct) =>
        SendAsync(socket, FrameType.HelloAck, ack, TunnelFrameJson.Default.HelloAckMessage, ct);

    /// <summary>Refuses the connection with a reason the agent can report (e.g. an unknown plane), then closes it.</summary>
    public static async Task RefuseAsync(WebSocket socket, string code, string message, CancellationToken ct)
    {
        try
        {
            await SendAsync(socket, FrameType.GoAway, new ErrorBody(code, message), TunnelFrameJson.Default.ErrorBody, ct).ConfigureAwait(false);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, code, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
        }
    }

    private static async Task SendAsync<T>(WebSocket socket, FrameType type, T message, JsonTypeInfo<T> info, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, info);
        var frame = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(type, 0, payload.Length, 0, 0).Write(frame);
        payload.CopyTo(frame.AsSpan(FrameHeader.Size));
        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, ct).ConfigureAwait(false);
    }

    private static async Task<(FrameType, byte[])> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[MaxHandshakeFrameBytes];
        var count = 0;
        ValueWebSocketReceiveResult r;
        do
        {
            if (count == buffer.Length) throw new TunnelException(TunnelErrorCodes.FrameTooLarge, $"The handshake frame exceeds {MaxHandshakeFrameBytes} bytes.");
            r = await socket.ReceiveAsync(buffer.AsMemory(count), ct).ConfigureAwait(false);
            if (r.MessageType == WebSocketMessageType.Close) throw new TunnelException(TunnelErrorCodes.Closed, "The peer closed the connection during the handshake.");
            if (r.MessageType != WebSocketMessageType.Binary) throw new TunnelException(TunnelErrorCodes.ProtocolError, "The handshake frame is not binary.");
            count += r.Count;
        }
        while (!r.EndOfMessage);
        if (FrameHeader.TryRead(buffer.AsSpan(0, count), out var h) is { } error) throw new TunnelException(TunnelErrorCodes.ProtocolError, error);
        return (h.Type, buffer.AsSpan(FrameHeader.Size, h.PayloadLength).ToArray());
    }

    private static T Deserialize<T>(byte[] payload, JsonTypeInfo<T> info) =>
        TunnelHandlers.TryDeserialize(payload, info, out var v, out var error) ? v : throw new TunnelException(TunnelErrorCodes.ProtocolError, error!);
}
