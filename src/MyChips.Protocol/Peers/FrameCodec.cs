using System.Buffers;
using System.Buffers.Binary;

namespace MyChips.Protocol.Peers;

internal enum FrameStatus
{
    NeedMoreData,
    Complete,
    TooLarge,
    Empty,
}

/// <summary>
/// Frames on the wire: a 4-byte big-endian length, then that many bytes (one type byte and the body).
/// Reading checks the declared length before waiting for the body and allocates nothing.
/// </summary>
internal static class FrameCodec
{
    public const int HeaderLength = 5;

    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out byte type, out ReadOnlySequence<byte> body)
    {
        type = 0;
        body = default;
        if (buffer.Length < 4) return FrameStatus.NeedMoreData;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length == 0) return FrameStatus.Empty;
        if (length > (uint)maxFrameLength) return FrameStatus.TooLarge;
        if (buffer.Length < 4 + length) return FrameStatus.NeedMoreData;
        var frame = buffer.Slice(4, length);
        type = frame.FirstSpan[0];
        body = frame.Slice(1);
        buffer = buffer.Slice(frame.End);
        return FrameStatus.Complete;
    }

    /// <summary>Writes the header and returns the body span of exactly <paramref name="bodyLength"/> bytes to fill; then call <c>Advance(HeaderLength + bodyLength)</c>.</summary>
    public static Span<byte> BeginFrame(IBufferWriter<byte> writer, byte type, int bodyLength)
    {
        var span = writer.GetSpan(HeaderLength + bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(bodyLength + 1));
        span[4] = type;
        return span.Slice(HeaderLength, bodyLength);
    }

    public static void Write(IBufferWriter<byte> writer, byte type, ReadOnlySpan<byte> body)
    {
        body.CopyTo(BeginFrame(writer, type, body.Length));
        writer.Advance(HeaderLength + body.Length);
    }
}
