using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Connections;

/// <summary>What reading the head of the buffer gave: a whole frame, nothing yet, or a reason to close.</summary>
internal enum FrameRead
{
    NeedMoreData,
    Complete,
    Violation,
}

/// <summary>
/// One protocol's framing for the engine: reads a frame into its packet type and body (a slice of the buffer, no
/// copy), and writes one. The length-prefixed form checks the length before the body; the line form the length
/// before the line end.
/// </summary>
internal abstract class FrameFormat
{
    public static FrameFormat For(ProtocolDescription protocol, bool acceptBareLineFeed = false) => protocol.Framing switch
    {
        ProtocolFraming.Line => new LineFormat(protocol, acceptBareLineFeed),
        _ => new LengthPrefixedFormat(),
    };

    /// <summary>Reads one frame; on <see cref="FrameRead.Violation"/>, <paramref name="violation"/> and <paramref name="error"/> say what was wrong.</summary>
    public abstract FrameRead TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out byte type, out ReadOnlySequence<byte> body, out ProtocolViolation violation, out string error);

    /// <summary>The bytes a frame with a body of this length takes.</summary>
    public abstract int FrameSize(PacketDescriptor packet, int bodyLength);

    /// <summary>Writes the frame's header into the start of <paramref name="frame"/> and returns where the body goes.</summary>
    public abstract Range Layout(Span<byte> frame, PacketDescriptor packet, int bodyLength);

    /// <summary>Whether a frame with a body of this length stays within <paramref name="maxFrameLength"/>.</summary>
    public abstract bool Fits(PacketDescriptor packet, int bodyLength, int maxFrameLength);

    /// <summary>After a violation: consumes one whole frame of a type the spec does not declare, where the framing can tell its end.</summary>
    public virtual bool TrySkipUnknown(ref ReadOnlySequence<byte> buffer, int maxFrameLength) => false;

    /// <summary>Why the framing cannot carry this body as it is, or null.</summary>
    public virtual string? CheckBody(ReadOnlySpan<byte> body) => null;

    private sealed class LengthPrefixedFormat : FrameFormat
    {
        public override FrameRead TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out byte type, out ReadOnlySequence<byte> body, out ProtocolViolation violation, out string error)
        {
            (violation, error) = (ProtocolViolation.None, "");
            switch (LengthPrefixedFraming.TryRead<AnyType>(ref buffer, maxFrameLength, out type, out body))
            {
                case LengthPrefixedReadStatus.Complete:
                    return FrameRead.Complete;
                case LengthPrefixedReadStatus.TooLarge:
                    (violation, error) = (ProtocolViolation.FrameTooLarge, $"a frame is longer than the {maxFrameLength}-byte maximum");
                    return FrameRead.Violation;
                case LengthPrefixedReadStatus.Empty:
                    (violation, error) = (ProtocolViolation.MalformedFrame, "an empty frame (no type byte)");
                    return FrameRead.Violation;
                default:
                    return FrameRead.NeedMoreData;
            }
        }

        public override int FrameSize(PacketDescriptor packet, int bodyLength) => LengthPrefixedFraming.HeaderLength + bodyLength;

        public override Range Layout(Span<byte> frame, PacketDescriptor packet, int bodyLength)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(bodyLength + 1));
            frame[LengthPrefixedFraming.LengthFieldSize] = packet.Type;
            return new Range(LengthPrefixedFraming.HeaderLength, LengthPrefixedFraming.HeaderLength + bodyLength);
        }

        public override bool Fits(PacketDescriptor packet, int bodyLength, int maxFrameLength) => bodyLength + 1 <= maxFrameLength;

        /// <summary>Every byte is a candidate type: the spec's table is checked after the frame is read, so an unknown type can be skipped whole.</summary>
        private readonly struct AnyType : IFrameTypeSet
        {
            public static bool IsKnown(byte type) => true;
        }
    }

    private sealed class LineFormat(ProtocolDescription protocol, bool acceptBareLineFeed) : FrameFormat
    {
        private static readonly byte[] CrLf = "\r\n"u8.ToArray();

        public override FrameRead TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out byte type, out ReadOnlySequence<byte> body, out ProtocolViolation violation, out string error)
        {
            (type, body, violation, error) = (0, default, ProtocolViolation.None, "");
            var original = buffer;
            switch (LineFraming.TryRead(ref buffer, maxFrameLength, out var line, acceptBareLineFeed))
            {
                case LineReadStatus.NeedMoreData:
                    return FrameRead.NeedMoreData;
                case LineReadStatus.TooLong:
                    (violation, error) = (ProtocolViolation.FrameTooLarge, $"a line is longer than the {maxFrameLength}-byte maximum");
                    return FrameRead.Violation;
                case LineReadStatus.BareLineFeed:
                    (violation, error) = (ProtocolViolation.MalformedFrame, "a line ends in a bare line feed (CRLF is required)");
                    return FrameRead.Violation;
            }
            var space = line.PositionOf((byte)' ');
            Span<byte> scratch = stackalloc byte[64];
            // A reply spelled as several words ("(okay more)") is a whole line; otherwise the first word names the packet.
            if (space is not null && line.Length <= scratch.Length && Lookup(line, scratch) is { } reply && reply != protocol.AnyLinePacket)
            {
                (type, body) = (reply.Type, default);
                return FrameRead.Complete;
            }
            var word = space is { } at ? line.Slice(0, at) : line;
            body = space is { } start ? line.Slice(line.GetPosition(1, start)) : default;
            var packet = word.Length <= scratch.Length ? Lookup(word, scratch) : null;
            if (packet is null || packet == protocol.AnyLinePacket)
            {
                // A line with no known first word is the spec's any-line packet, whole, where it declares one.
                if (protocol.AnyLinePacket is { } any)
                {
                    (type, body) = (any.Type, line);
                    return FrameRead.Complete;
                }
                violation = ProtocolViolation.UnknownPacket;
                error = $"'{Encoding.UTF8.GetString(word.Length <= scratch.Length ? word : word.Slice(0, scratch.Length))}' is no command of {protocol.Name}";
                buffer = original;
                return FrameRead.Violation;
            }
            type = packet.Type;
            return FrameRead.Complete;
        }

        private PacketDescriptor? Lookup(in ReadOnlySequence<byte> text, Span<byte> scratch)
        {
            text.CopyTo(scratch);
            return protocol.TryGetPacket(scratch[..(int)text.Length], out var packet) ? packet : null;
        }

        // A complete line whose command the spec does not know is the only violation that can be skipped.
        public override bool TrySkipUnknown(ref ReadOnlySequence<byte> buffer, int maxFrameLength) =>
            LineFraming.TryRead(ref buffer, maxFrameLength, out _, acceptBareLineFeed) == LineReadStatus.Complete;

        public override string? CheckBody(ReadOnlySpan<byte> body) =>
            body.IndexOfAny((byte)'\r', (byte)'\n') >= 0 ? "a line's body cannot hold a line break" : null;

        public override int FrameSize(PacketDescriptor packet, int bodyLength) =>
            packet == protocol.AnyLinePacket ? bodyLength + CrLf.Length : packet.Keyword.Length + (bodyLength > 0 ? 1 + bodyLength : 0) + CrLf.Length;

        // The any-line packet is its body alone; any other is its keyword, then a space and the body if there is one.
        public override Range Layout(Span<byte> frame, PacketDescriptor packet, int bodyLength)
        {
            var at = packet == protocol.AnyLinePacket ? 0 : Encoding.ASCII.GetBytes(packet.Keyword, frame);
            if (bodyLength > 0 && at > 0) frame[at++] = (byte)' ';
            CrLf.CopyTo(frame[(at + bodyLength)..]);
            return new Range(at, at + bodyLength);
        }

        public override bool Fits(PacketDescriptor packet, int bodyLength, int maxFrameLength) =>
            FrameSize(packet, bodyLength) - CrLf.Length <= maxFrameLength;
    }
}
