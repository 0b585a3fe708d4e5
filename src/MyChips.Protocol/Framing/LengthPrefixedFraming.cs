using System;
using System.Buffers;
using System.Buffers.Binary;

namespace MyChips.Protocol.Framing;

/// <summary>
/// Length-prefixed frames, the same for every protocol whose spec says <c>framing length u32be type byte</c>:
/// a 4-byte big-endian length, then the type byte, then the body. The length counts the type byte and the
/// body. A spec's generated <c>FrameCodec</c> adds its packet types and maximum on top of this.
/// </summary>
public static class LengthPrefixedFraming
{
    /// <summary>The size of the length field.</summary>
    public const int LengthFieldSize = 4;

    /// <summary>The length field and the type byte.</summary>
    public const int HeaderLength = LengthFieldSize + 1;

    /// <summary>
    /// Reads one frame without allocating. The length is checked against <paramref name="maxFrameLength"/>
    /// as soon as its 4 bytes are there and the type as soon as its byte is there, before waiting for the
    /// body, so a hostile peer cannot make the reader buffer more than the maximum. On
    /// <see cref="LengthPrefixedReadStatus.Complete"/> and <see cref="LengthPrefixedReadStatus.Empty"/> the
    /// buffer is advanced past the frame; otherwise it is left as it was.
    /// </summary>
    /// <typeparam name="TTypes">The protocol's packet types.</typeparam>
    /// <param name="body">A slice of <paramref name="buffer"/>: use it before the reader advances.</param>
    public static LengthPrefixedReadStatus TryRead<TTypes>(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out byte type, out ReadOnlySequence<byte> body)
        where TTypes : IFrameTypeSet
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        type = 0;
        body = default;
        if (buffer.Length < LengthFieldSize)
            return LengthPrefixedReadStatus.NeedMoreData;

        Span<byte> header = stackalloc byte[HeaderLength];
        var available = (int)Math.Min(buffer.Length, HeaderLength);
        buffer.Slice(0, available).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            buffer = buffer.Slice(LengthFieldSize);
            return LengthPrefixedReadStatus.Empty;
        }
        if (length > (uint)maxFrameLength)
            return LengthPrefixedReadStatus.TooLarge;
        if (available < HeaderLength)
            return LengthPrefixedReadStatus.NeedMoreData;
        if (!TTypes.IsKnown(header[LengthFieldSize]))
            return LengthPrefixedReadStatus.UnknownType;
        if (buffer.Length < LengthFieldSize + (long)length)
            return LengthPrefixedReadStatus.NeedMoreData;

        type = header[LengthFieldSize];
        body = buffer.Slice(HeaderLength, length - 1);
        buffer = buffer.Slice(LengthFieldSize + (long)length);
        return LengthPrefixedReadStatus.Complete;
    }

    /// <summary>
    /// Consumes one whole frame whatever its type, for a peer that ignores unknown types.
    /// False, consuming nothing, until the whole frame is there or when it is too large.
    /// </summary>
    public static bool TrySkip(ref ReadOnlySequence<byte> buffer, int maxFrameLength)
    {
        if (buffer.Length < LengthFieldSize)
            return false;
        Span<byte> field = stackalloc byte[LengthFieldSize];
        buffer.Slice(0, LengthFieldSize).CopyTo(field);
        var length = BinaryPrimitives.ReadUInt32BigEndian(field);
        if (length > (uint)maxFrameLength || buffer.Length < LengthFieldSize + (long)length)
            return false;
        buffer = buffer.Slice(LengthFieldSize + (long)length);
        return true;
    }

    /// <summary>
    /// Writes the header of a frame and returns the body's place in the writer, to fill in place (for
    /// example by encrypting straight into it). Call <see cref="Complete"/> with the same length after.
    /// </summary>
    public static Span<byte> Begin(IBufferWriter<byte> writer, byte type, int bodyLength)
    {
        var span = writer.GetSpan(HeaderLength + bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(bodyLength + 1));
        span[LengthFieldSize] = type;
        return span.Slice(HeaderLength, bodyLength);
    }

    /// <summary>Commits a frame begun with <see cref="Begin"/>.</summary>
    public static void Complete(IBufferWriter<byte> writer, int bodyLength) => writer.Advance(HeaderLength + bodyLength);
}
