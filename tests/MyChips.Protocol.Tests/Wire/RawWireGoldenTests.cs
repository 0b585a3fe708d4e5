using System.Buffers;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.Wire;

/// <summary>The raw (plaintext) mode wire format of every packet type, pinned by golden files.</summary>
public sealed class RawWireGoldenTests
{
    [Fact]
    public void Every_packet_type_has_a_golden_packet()
    {
        Assert.Equal(PacketTypes.All.Order(), WirePackets.All.Select(p => p.Type).Order());
    }

    [Theory]
    [MemberData(nameof(WirePackets.Names), MemberType = typeof(WirePackets))]
    public void Raw_frame_matches_its_golden_file(string name)
    {
        var packet = WirePackets.Get(name);
        var wire = new ArrayBufferWriter<byte>();

        FrameCodec.WriteFrame(wire, packet.Type, packet.Plaintext);

        WireGolden.Verify("raw." + name, wire.WrittenSpan, $"{name} '{packet.Type.GetInfo().Keyword}' in raw mode");
    }

    [Theory]
    [MemberData(nameof(WirePackets.Names), MemberType = typeof(WirePackets))]
    public void Raw_frame_reads_back_to_the_same_packet(string name)
    {
        var packet = WirePackets.Get(name);
        var wire = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(wire, packet.Type, packet.Plaintext);
        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory);

        var status = FrameCodec.TryReadFrame(ref buffer, out var frame);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(packet.Type, frame.Type);
        Assert.Equal(packet.Plaintext, frame.Body.ToArray());
        Assert.True(buffer.IsEmpty);
    }
}
