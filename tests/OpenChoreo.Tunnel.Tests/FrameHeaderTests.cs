namespace OpenChoreo.Tunnel.Tests;

public sealed class FrameHeaderTests
{
    private static byte[] Frame(FrameType type, string op, int payload, ulong id = 7, uint arg = 0)
    {
        var f = new byte[FrameHeader.Size + op.Length + payload];
        new FrameHeader(type, op.Length, payload, id, arg).Write(f);
        System.Text.Encoding.ASCII.GetBytes(op).CopyTo(f, FrameHeader.Size);
        return f;
    }

    [Fact]
    public void Round_trips()
    {
        var f = Frame(FrameType.Request, "release.apply", 5, id: 99, arg: 1500);
        FrameHeader.TryRead(f, out var h).ShouldBeNull();
        h.ShouldBe(new FrameHeader(FrameType.Request, 13, 5, 99, 1500));
    }

    [Theory]
    [InlineData("short", "frame shorter than the 24-byte header")]
    [InlineData("version", "unsupported protocol version 9")]
    [InlineData("type", "unknown frame type 99")]
    [InlineData("flags", "reserved flags are set")]
    [InlineData("length", "payload length does not match the frame size")]
    [InlineData("op-on-data", "StreamData frames carry no op name")]
    [InlineData("no-op", "Request frame without an op name")]
    [InlineData("op-chars", "op name has characters outside [a-z0-9.-]")]
    [InlineData("reserved", "reserved header field is not zero")]
    public void Rejects_malformed_headers_with_a_precise_reason(string kind, string expected)
    {
        var f = Frame(FrameType.Request, "ping", 2);
        switch (kind)
        {
            case "short": f = f[..10]; break;
            case "version": f[0] = 9; break;
            case "type": f[1] = 99; break;
            case "flags": f[3] = 1; break;
            case "length": f = f[..^1]; break;
            case "op-on-data": f[1] = (byte)FrameType.StreamData; break;
            case "no-op": f = Frame(FrameType.Request, "", 2); break;
            case "op-chars": f[FrameHeader.Size] = (byte)'P'; break;
            case "reserved": f[21] = 1; break;
        }
        FrameHeader.TryRead(f, out _).ShouldBe(expected);
    }

    [Fact]
    public void Op_names_are_validated_when_declared()
    {
        Should.Throw<ArgumentException>(() => new TunnelOperation<Operations.Empty, Operations.Empty>("Bad Name", Operations.OperationJson.Default.Empty, Operations.OperationJson.Default.Empty))
            .Message.ShouldStartWith("'Bad Name' is not a valid op name");
    }
}
