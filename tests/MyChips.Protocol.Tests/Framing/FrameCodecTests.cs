using MyChips.Protocol.Testing;
using System.Buffers;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Framing;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.Framing;

/// <summary>The generated MyCHIPs frame codec: 4-byte big-endian length, type byte, body.</summary>
public sealed class FrameCodecTests
{
    [Fact]
    public void Metadata_follows_the_spec()
    {
        Assert.Equal((byte)'N', (byte)PacketType.Declare);
        Assert.Equal(new[] { PacketType.Ticket, PacketType.Declare, PacketType.Knock, PacketType.Ack, PacketType.Transport, PacketType.Offer, PacketType.Receipt, PacketType.Batch }, PacketTypes.All);

        var declare = PacketType.Declare.GetInfo();
        Assert.Equal(("N", PeerRoles.Initiator, PacketStage.Handshake, NoisePatterns.N, 1, "AgentId"),
            (declare.Keyword, declare.Senders, declare.Stage, declare.Patterns, declare.MessageIndex, declare.Body));
        var ack = PacketType.Ack.GetInfo();
        Assert.Equal((PeerRoles.Responder, NoisePatterns.KK | NoisePatterns.IK, 2, "Capabilities"), (ack.Senders, ack.Patterns, ack.MessageIndex, ack.Body));
        var transport = PacketType.Transport.GetInfo();
        Assert.Equal((PeerRoles.Initiator | PeerRoles.Responder, PacketStage.Transport, 0), (transport.Senders, transport.Stage, transport.MessageIndex));
        Assert.True(PacketType.Transport.CanBeSentBy(PeerRoles.Responder));
        Assert.False(PacketType.Knock.CanBeSentBy(PeerRoles.Responder));
        Assert.Equal(1048576, FrameCodec.MaxFrameLength);
    }

    [Fact]
    public void Type_bytes_map_to_packets_and_nothing_else()
    {
        for (var value = 0; value < 256; value++)
        {
            var known = PacketTypes.TryFromTypeByte((byte)value, out var type);
            Assert.Equal("INKATCRB".Contains((char)value, StringComparison.Ordinal), known);
            if (known)
                Assert.Equal(value, (int)type);
        }
    }

    [Fact]
    public void Writes_length_type_and_body()
    {
        var wire = new ArrayBufferWriter<byte>();

        FrameCodec.WriteFrame(wire, PacketType.Knock, "{}"u8);

        Assert.Equal(new byte[] { 0, 0, 0, 3, (byte)'K', (byte)'{', (byte)'}' }, wire.WrittenSpan.ToArray());
    }

    [Fact]
    public void Two_phase_write_fills_the_body_in_place()
    {
        var wire = new ArrayBufferWriter<byte>();

        var body = FrameCodec.BeginFrame(wire, PacketType.Ack, 3);
        body.Fill(0xAB);
        FrameCodec.CompleteFrame(wire, 3);

        Assert.Equal(new byte[] { 0, 0, 0, 4, (byte)'A', 0xAB, 0xAB, 0xAB }, wire.WrittenSpan.ToArray());
        Assert.Equal(8, FrameCodec.GetFrameSize(3));
    }

    [Fact]
    public void Writing_an_oversized_body_or_an_unknown_type_is_refused()
    {
        var wire = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodec.BeginFrame(wire, PacketType.Transport, FrameCodec.MaxBodyLength + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodec.BeginFrame(wire, (PacketType)'Z', 0));
        Assert.Equal(0, wire.WrittenCount);
    }

    [Fact]
    public void Reads_consecutive_frames_and_leaves_the_rest()
    {
        var wire = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(wire, PacketType.Declare, "\"x\""u8);
        FrameCodec.WriteFrame(wire, PacketType.Knock, "{}"u8);
        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory[..^1]);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var first));
        Assert.Equal(PacketType.Declare, first.Type);
        Assert.Equal("\"x\""u8.ToArray(), first.Body.ToArray());

        Assert.Equal(FrameReadStatus.NeedMoreData, FrameCodec.TryReadFrame(ref buffer, out _));
        Assert.Equal(6, buffer.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void A_partial_frame_needs_more_data_and_consumes_nothing(int available)
    {
        var frame = new byte[] { 0, 0, 0, 3, (byte)'T', 1, 2 };
        var buffer = new ReadOnlySequence<byte>(frame, 0, available);

        Assert.Equal(FrameReadStatus.NeedMoreData, FrameCodec.TryReadFrame(ref buffer, out _));
        Assert.Equal(available, buffer.Length);
    }

    [Fact]
    public void A_length_over_the_maximum_is_too_large_before_the_body_arrives()
    {
        var header = new byte[] { 0x00, 0x10, 0x00, 0x01 };
        var buffer = new ReadOnlySequence<byte>(header);

        Assert.Equal(FrameReadStatus.TooLarge, FrameCodec.TryReadFrame(ref buffer, out _));
        Assert.Equal(4, buffer.Length);
    }

    [Fact]
    public void A_hostile_four_gigabyte_length_is_too_large()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, (byte)'T' });

        Assert.Equal(FrameReadStatus.TooLarge, FrameCodec.TryReadFrame(ref buffer, out _));
    }

    [Fact]
    public void The_run_time_maximum_can_be_lower_than_the_spec()
    {
        var frame = new byte[] { 0, 0, 0, 5, (byte)'T', 1, 2, 3, 4 };
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.Equal(FrameReadStatus.TooLarge, FrameCodec.TryReadFrame(ref buffer, out _, maxFrameLength: 4));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out _, maxFrameLength: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var any = new ReadOnlySequence<byte>(frame);
            FrameCodec.TryReadFrame(ref any, out _, FrameCodec.MaxFrameLength + 1);
        });
    }

    [Fact]
    public void An_unknown_type_byte_is_reported_without_consuming()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 1, (byte)'X' });

        Assert.Equal(FrameReadStatus.UnknownType, FrameCodec.TryReadFrame(ref buffer, out _));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void A_frame_of_unknown_type_can_be_skipped_once_whole()
    {
        var bytes = new byte[] { 0, 0, 0, 3, (byte)'X', 1, 2, 0, 0, 0, 1, (byte)'A' };
        var partial = new ReadOnlySequence<byte>(bytes, 0, 6);
        Assert.False(FrameCodec.TrySkipFrame(ref partial));
        Assert.Equal(6, partial.Length);

        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.False(FrameCodec.TrySkipFrame(ref buffer, maxFrameLength: 2));
        Assert.True(FrameCodec.TrySkipFrame(ref buffer));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var ack));
        Assert.Equal(PacketType.Ack, ack.Type);
    }

    [Fact]
    public void A_zero_length_frame_is_empty_and_consumed()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, (byte)'A' });

        Assert.Equal(FrameReadStatus.Empty, FrameCodec.TryReadFrame(ref buffer, out _));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var ack));
        Assert.Equal(PacketType.Ack, ack.Type);
        Assert.True(ack.Body.IsEmpty);
    }

    [Fact]
    public void A_frame_split_across_segments_is_read_whole()
    {
        var bytes = new byte[] { 0, 0, 0, 4, (byte)'T', 7, 8, 9 };
        for (var split = 1; split < bytes.Length; split++)
        {
            var buffer = Segments.Of(bytes[..split], bytes[split..]);

            Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var frame));
            Assert.Equal(PacketType.Transport, frame.Type);
            Assert.Equal(new byte[] { 7, 8, 9 }, frame.Body.ToArray());
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void Reading_a_frame_allocates_nothing()
    {
        var wire = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 100; i++)
            FrameCodec.WriteFrame(wire, PacketType.Transport, "{\"a\":1}"u8);
        var all = new ReadOnlySequence<byte>(wire.WrittenMemory);
        var warmUp = all;
        FrameCodec.TryReadFrame(ref warmUp, out _);

        var buffer = all;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 0;
        while (FrameCodec.TryReadFrame(ref buffer, out _) == FrameReadStatus.Complete)
            count++;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100, count);
        Assert.Equal(0, allocated);
    }
}
