namespace OpenChoreo.Tunnel;

/// <summary>Limits and timings of one tunnel connection (both sides).</summary>
public sealed record TunnelConnectionOptions
{
    /// <summary>Largest frame (header + op + payload) accepted or sent; a bigger incoming frame closes the connection.</summary>
    public int MaxFrameBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Bytes a peer may send on one stream before it must wait for credit. 1 MiB keeps a stream moving while credit is
    /// on its way back (a loaded machine delays it); memory is only used while the reader lags.
    /// </summary>
    public int StreamWindowBytes { get; init; } = 1024 * 1024;

    /// <summary>Ping interval; the connection is dropped after two intervals without any frame from the peer.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of a unary request when the caller gives none.</summary>
    public TimeSpan DefaultRequestDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the opening Hello/HelloAck exchange may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests a peer may have in flight on this side at once; beyond it they are refused.</summary>
    public int MaxConcurrentInboundRequests { get; init; } = 1024;

    /// <summary>Streams a peer may have open at once.</summary>
    public int MaxOpenStreams { get; init; } = 256;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (MaxFrameBytes < 4096 || MaxFrameBytes > 64 * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "must be between 4 KiB and 64 MiB");
        if (StreamWindowBytes < 1024) throw new ArgumentOutOfRangeException(nameof(StreamWindowBytes), StreamWindowBytes, "must be at least 1 KiB");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "must be positive");
        if (DefaultRequestDeadline <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DefaultRequestDeadline), DefaultRequestDeadline, "must be positive");
    }
}
