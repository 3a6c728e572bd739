using System.Buffers.Binary;

namespace OpenChoreo.Runtime.Podman;

/// <summary>Reads Docker's multiplexed log framing: 8-byte header (stream, 3 zero bytes, big-endian length), then payload.</summary>
internal static class LogFrames
{
    private const int MaxFrame = 1 << 20;

    public static async Task ReadAsync(Stream stream, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct)
    {
        var header = new byte[8];
        var buffer = new byte[16 * 1024];
        while (true)
        {
            if (!await FillAsync(stream, header, ct).ConfigureAwait(false)) return;
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)), MaxFrame);
            if (buffer.Length < length) buffer = new byte[length];
            if (!await FillAsync(stream, buffer.AsMemory(0, length), ct).ConfigureAwait(false)) return;
            await sink(buffer.AsMemory(0, length)).ConfigureAwait(false);
        }
    }

    private static async Task<bool> FillAsync(Stream stream, Memory<byte> target, CancellationToken ct)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = await stream.ReadAsync(target[read..], ct).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
