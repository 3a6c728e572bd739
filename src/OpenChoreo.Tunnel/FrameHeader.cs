using System.Buffers.Binary;

namespace OpenChoreo.Tunnel;

/// <summary>
/// The fixed 24-byte frame header (little endian). Every WebSocket binary message carries exactly one frame:
/// <c>header | op name (ASCII, opLength bytes) | payload (payloadLength bytes)</c>.
/// <code>
/// 0  u8  version      (ProtocolVersion)
/// 1  u8  type         (FrameType)
/// 2  u8  opLength     (0..MaxOpLength; Request and StreamOpen only)
/// 3  u8  flags        (reserved, 0)
/// 4  u32 payloadLength
/// 8  u64 id           (correlation or stream id; 0 for connection-level frames)
/// 16 u32 argument     (Request: deadline ms; StreamCredit: bytes granted; otherwise 0)
/// 20 u32 reserved     (0)
/// </code>
/// </summary>
public readonly record struct FrameHeader(FrameType Type, int OpLength, int PayloadLength, ulong Id, uint Argument)
{
    public const int Size = 24;
    public const byte ProtocolVersion = 1;
    public const int MaxOpLength = 64;

    public void Write(Span<byte> destination)
    {
        destination[0] = ProtocolVersion;
        destination[1] = (byte)Type;
        destination[2] = (byte)OpLength;
        destination[3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Id);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Argument);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], 0);
    }

    /// <summary>Parses and checks a whole frame; returns an error message instead of throwing (garbage is routine input).</summary>
    public static string? TryRead(ReadOnlySpan<byte> frame, out FrameHeader header)
    {
        header = default;
        if (frame.Length < Size) return $"frame shorter than the {Size}-byte header";
        if (frame[0] != ProtocolVersion) return $"unsupported protocol version {frame[0]}";
        var type = (FrameType)frame[1];
        if (type < FrameType.Hello || type > FrameType.GoAway) return $"unknown frame type {frame[1]}";
        int opLength = frame[2];
        if (frame[3] != 0) return "reserved flags are set";
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(frame[4..]);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(frame[8..]);
        var argument = BinaryPrimitives.ReadUInt32LittleEndian(frame[16..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(frame[20..]) != 0) return "reserved header field is not zero";
        if (opLength > MaxOpLength) return $"op name longer than {MaxOpLength} bytes";
        if (opLength > 0 && type is not (FrameType.Request or FrameType.StreamOpen)) return $"{type} frames carry no op name";
        if (opLength == 0 && type is FrameType.Request or FrameType.StreamOpen) return $"{type} frame without an op name";
        if (payloadLength < 0 || (long)Size + opLength + payloadLength != frame.Length)
            return "payload length does not match the frame size";
        foreach (var b in frame.Slice(Size, opLength))
            if (!IsOpChar(b)) return "op name has characters outside [a-z0-9.-]";
        header = new FrameHeader(type, opLength, payloadLength, id, argument);
        return null;
    }

    internal static bool IsOpChar(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.';
}
