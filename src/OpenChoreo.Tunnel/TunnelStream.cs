using System.Threading.Channels;

namespace OpenChoreo.Tunnel;

/// <summary>
/// One stream of a tunnel connection. Bytes may flow both ways; each direction is flow-controlled by credit: a writer
/// sends at most the window its peer granted and waits for StreamCredit frames, which a reader returns as it consumes.
/// There is no timeout: a stream lives until both sides end it, either side cancels it, or the connection closes.
/// </summary>
public sealed class TunnelStream
{
    private readonly TunnelConnection _connection;
    private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _creditSignal = new(0);
    private readonly int _receiveWindow;
    private readonly CancellationTokenSource _cancelled = new();
    private long _sendCredit;
    private long _receivedUngranted; // bytes received and not yet paid back with credit
    private long _consumedUngranted;
    private int _localEnded;
    private int _remoteEnded;

    internal TunnelStream(TunnelConnection connection, ulong id, int sendWindow, int receiveWindow)
    {
        _connection = connection;
        Id = id;
        _sendCredit = sendWindow;
        _receiveWindow = receiveWindow;
    }

    public ulong Id { get; }

    /// <summary>Cancelled when the peer cancels the stream or the connection closes.</summary>
    public CancellationToken Aborted => _cancelled.Token;

    internal bool IsFinished => Volatile.Read(ref _localEnded) != 0 && Volatile.Read(ref _remoteEnded) != 0;

    /// <summary>Sends bytes, waiting for credit as needed (back-pressure); chunks larger than a frame are split.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _localEnded) != 0) throw new InvalidOperationException("The stream was already ended on this side.");
        var maxChunk = _connection.MaxStreamChunk;
        while (!data.IsEmpty)
        {
            _cancelled.Token.ThrowIfCancellationRequested();
            var credit = Interlocked.Read(ref _sendCredit);
            if (credit <= 0)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _cancelled.Token);
                try
                {
                    await _creditSignal.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_cancelled.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    throw new TunnelException(TunnelErrorCodes.Cancelled, "The stream was cancelled by the peer or the connection closed.");
                }
                continue;
            }
            var n = (int)Math.Min(Math.Min(credit, maxChunk), data.Length);
            Interlocked.Add(ref _sendCredit, -n);
            await _connection.SendFrameAsync(FrameType.StreamData, Id, 0, null, data[..n], ct).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Reads the next chunk; returns an empty result at the end of the peer's data.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken ct = default)
    {
        try
        {
            if (!await _inbound.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return ReadOnlyMemory<byte>.Empty;
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        if (!_inbound.Reader.TryRead(out var chunk)) return ReadOnlyMemory<byte>.Empty;
        var consumed = Interlocked.Add(ref _consumedUngranted, chunk.Length);
        // Pay credit back in batches of a quarter window: few frames, and the writer gets credit well before it runs out.
        if (consumed >= _receiveWindow / 4)
        {
            Interlocked.Add(ref _consumedUngranted, -consumed);
            Interlocked.Add(ref _receivedUngranted, -consumed);
            if (Volatile.Read(ref _remoteEnded) == 0)
                await _connection.SendFrameAsync(FrameType.StreamCredit, Id, (uint)consumed, null, default, ct).ConfigureAwait(false);
        }
        return chunk;
    }

    /// <summary>Every chunk until the peer ends its side.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var chunk = await ReadAsync(ct).ConfigureAwait(false);
            if (chunk.IsEmpty) yield break;
            yield return chunk;
        }
    }

    /// <summary>Ends this side's data (the peer's reader sees the end); reading may continue.</summary>
    public async ValueTask CompleteAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _localEnded, 1) != 0) return;
        await _connection.SendFrameAsync(FrameType.StreamEnd, Id, 0, null, default, ct).ConfigureAwait(false);
        _connection.ForgetStreamIfFinished(this);
    }

    /// <summary>Aborts both directions and tells the peer.</summary>
    public async ValueTask CancelAsync()
    {
        if (_cancelled.IsCancellationRequested) return;
        Abort(new TunnelException(TunnelErrorCodes.Cancelled, "The stream was cancelled."));
        try
        {
            await _connection.SendFrameAsync(FrameType.Cancel, Id, 0, null, default, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TunnelException)
        {
            // The connection is gone: the peer drops the stream with it.
        }
    }

    /// <summary>Receive loop: returns false when the peer overran the credit it was given (a protocol error).</summary>
    internal bool OnData(ReadOnlySpan<byte> data)
    {
        if (Volatile.Read(ref _remoteEnded) != 0) return false;
        if (Interlocked.Add(ref _receivedUngranted, data.Length) > _receiveWindow) return false;
        _inbound.Writer.TryWrite(data.ToArray());
        return true;
    }

    internal void OnCredit(uint bytes)
    {
        Interlocked.Add(ref _sendCredit, bytes);
        if (_creditSignal.CurrentCount == 0) _creditSignal.Release();
    }

    internal void OnRemoteEnd(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _remoteEnded, 1) != 0) return;
        _inbound.Writer.TryComplete(error);
    }

    internal void Abort(Exception error)
    {
        Volatile.Write(ref _localEnded, 1);
        OnRemoteEnd(error);
        try { _cancelled.Cancel(); } catch (ObjectDisposedException) { }
        _connection.ForgetStreamIfFinished(this);
    }

    internal void MarkLocalEnded() => Volatile.Write(ref _localEnded, 1);
}
