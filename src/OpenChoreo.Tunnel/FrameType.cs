namespace OpenChoreo.Tunnel;

/// <summary>The kind of a frame (byte 1 of the header). Unknown values close the connection as a protocol error.</summary>
public enum FrameType : byte
{
    /// <summary>Agent → gateway, first frame: protocol version, agent version, capabilities.</summary>
    Hello = 1,
    /// <summary>Gateway → agent: accepted capabilities, heartbeat interval, limits.</summary>
    HelloAck = 2,
    /// <summary>A unary request: op name, correlation id, deadline in ms (0: the receiver's default).</summary>
    Request = 3,
    /// <summary>The successful answer to a request (same id).</summary>
    Response = 4,
    /// <summary>The failed answer to a request or the end of a failed stream (same id): JSON <c>{code, message}</c>.</summary>
    Error = 5,
    /// <summary>Opens a stream: op name, stream id, JSON arguments. No deadline: streams live until ended or cancelled.</summary>
    StreamOpen = 6,
    /// <summary>Stream bytes; counted against the receiver's credit window.</summary>
    StreamData = 7,
    /// <summary>Grants the sender more credit (bytes, in the header's argument field).</summary>
    StreamCredit = 8,
    /// <summary>The sender will send no more data on the stream (half close).</summary>
    StreamEnd = 9,
    /// <summary>Aborts a stream (either side); or cancels an outstanding request with the same id.</summary>
    Cancel = 10,
    /// <summary>Heartbeat; the peer answers with <see cref="Pong"/> carrying the same id.</summary>
    Ping = 11,
    Pong = 12,
    /// <summary>The sender is closing the connection; JSON <c>{code, message}</c> says why.</summary>
    GoAway = 13,
}
