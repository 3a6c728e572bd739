using System.Text.Json;

namespace OpenChoreo.Tunnel;

/// <summary>The operations one side serves. Their names are the capabilities it advertises in the handshake.</summary>
public sealed class TunnelHandlers
{
    private readonly Dictionary<string, HandlerEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Capabilities => _entries.Keys;

    public TunnelHandlers Map<TRequest, TResponse>(TunnelOperation<TRequest, TResponse> op, Func<TRequest, TunnelConnection, CancellationToken, ValueTask<TResponse>> handler)
    {
        _entries.Add(op.Name, new UnaryEntry<TRequest, TResponse>(op, handler));
        return this;
    }

    public TunnelHandlers MapStream<TRequest>(TunnelStreamOperation<TRequest> op, Func<TRequest, TunnelStream, CancellationToken, Task> handler)
    {
        _entries.Add(op.Name, new StreamEntry<TRequest>(op, handler));
        return this;
    }

    internal HandlerEntry? Find(ReadOnlySpan<byte> opName)
    {
        var lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> chars = stackalloc char[FrameHeader.MaxOpLength];
        for (var i = 0; i < opName.Length; i++) chars[i] = (char)opName[i];
        return lookup.TryGetValue(chars[..opName.Length], out var e) ? e : null;
    }

    internal abstract class HandlerEntry
    {
        public abstract bool IsStream { get; }

        /// <summary>Deserializes the payload (before the receive buffer is reused) and returns the work to run.</summary>
        public abstract Func<TunnelConnection, TunnelStream?, CancellationToken, Task<ReadOnlyMemory<byte>?>>? Bind(ReadOnlySpan<byte> payload, out string? error);
    }

    private sealed class UnaryEntry<TRequest, TResponse>(TunnelOperation<TRequest, TResponse> op, Func<TRequest, TunnelConnection, CancellationToken, ValueTask<TResponse>> handler) : HandlerEntry
    {
        public override bool IsStream => false;

        public override Func<TunnelConnection, TunnelStream?, CancellationToken, Task<ReadOnlyMemory<byte>?>>? Bind(ReadOnlySpan<byte> payload, out string? error)
        {
            if (!TryDeserialize(payload, op.RequestType, out var request, out error)) return null;
            return async (connection, _, ct) =>
            {
                var response = await handler(request, connection, ct).ConfigureAwait(false);
                return JsonSerializer.SerializeToUtf8Bytes(response, op.ResponseType);
            };
        }
    }

    private sealed class StreamEntry<TRequest>(TunnelStreamOperation<TRequest> op, Func<TRequest, TunnelStream, CancellationToken, Task> handler) : HandlerEntry
    {
        public override bool IsStream => true;

        public override Func<TunnelConnection, TunnelStream?, CancellationToken, Task<ReadOnlyMemory<byte>?>>? Bind(ReadOnlySpan<byte> payload, out string? error)
        {
            if (!TryDeserialize(payload, op.RequestType, out var request, out error)) return null;
            return async (_, stream, ct) =>
            {
                await handler(request, stream!, ct).ConfigureAwait(false);
                return null;
            };
        }
    }

    internal static bool TryDeserialize<T>(ReadOnlySpan<byte> payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, out T value, out string? error)
    {
        try
        {
            var v = JsonSerializer.Deserialize(payload, type);
            if (v is null)
            {
                value = default!;
                error = "the payload is null";
                return false;
            }
            value = v;
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            value = default!;
            error = $"the payload is not a valid {typeof(T).Name}: {e.Message}";
            return false;
        }
    }
}
