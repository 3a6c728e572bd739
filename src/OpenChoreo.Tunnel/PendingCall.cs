using System.Text.Json.Serialization.Metadata;

namespace OpenChoreo.Tunnel;

internal abstract class PendingCall
{
    public abstract void Complete(ReadOnlySpan<byte> payload);
    public abstract void Fail(Exception error);
    public abstract void Cancel();
}

internal sealed class PendingCall<T>(JsonTypeInfo<T> type) : PendingCall
{
    private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _tcs.Task;

    public override void Complete(ReadOnlySpan<byte> payload)
    {
        if (TunnelHandlers.TryDeserialize(payload, type, out var value, out var error)) _tcs.TrySetResult(value);
        else _tcs.TrySetException(new TunnelException(TunnelErrorCodes.ProtocolError, "The peer's response is malformed: " + error));
    }

    public override void Fail(Exception error) => _tcs.TrySetException(error);

    public override void Cancel() => _tcs.TrySetCanceled();
}
