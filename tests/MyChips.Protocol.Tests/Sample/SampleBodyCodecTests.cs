using System.Buffers;
using System.Text;
using MessagePack;
using MyChips.Protocol.Tests.Sample;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.SampleSpec;

/// <summary>Record bodies of the test spec: MessagePack arrays and JSON objects, plus raw and empty bodies.</summary>
public sealed class SampleBodyCodecTests
{
    private static readonly Reading Full = new("kitchen", 1_700_000_000_123, 21.5, 7, true, "calibrated", new byte[] { 1, 2, 3 }, ulong.MaxValue);

    [Fact]
    public void A_messagepack_record_round_trips_with_every_field()
    {
        var bytes = ReadingCodec.ToBytes(Full);

        Assert.True(ReadingCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(Full with { Raw = null }, decoded with { Raw = null });
        Assert.Equal(Full.Raw, decoded.Raw);
    }

    [Fact]
    public void A_messagepack_record_is_an_array_of_its_fields_in_spec_order()
    {
        var reader = new MessagePackReader(ReadingCodec.ToBytes(Full with { Note = null, Raw = null, Count = null }));

        Assert.Equal(8, reader.ReadArrayHeader());
        Assert.Equal("kitchen", reader.ReadString());
        Assert.Equal(1_700_000_000_123, reader.ReadInt64());
        Assert.Equal(21.5, reader.ReadDouble());
        Assert.Equal(7u, reader.ReadUInt32());
        Assert.True(reader.ReadBoolean());
        Assert.True(reader.TryReadNil());
        Assert.True(reader.TryReadNil());
        Assert.True(reader.TryReadNil());
        Assert.True(reader.End);
    }

    [Fact]
    public void A_messagepack_record_without_its_trailing_optional_fields_decodes()
    {
        var writer = new ArrayBufferWriter<byte>();
        var packer = new MessagePackWriter(writer);
        packer.WriteArrayHeader(5);
        packer.Write("hall");
        packer.Write(5L);
        packer.Write(-1.25);
        packer.Write(0u);
        packer.Write(false);
        packer.Flush();

        Assert.True(ReadingCodec.TryDecode(writer.WrittenMemory, out var decoded));
        Assert.Equal(new Reading("hall", 5, -1.25, 0, false, null, null, null), decoded);
    }

    [Fact]
    public void Extra_trailing_items_from_a_newer_sender_are_skipped()
    {
        var writer = new ArrayBufferWriter<byte>();
        var packer = new MessagePackWriter(writer);
        packer.WriteArrayHeader(10);
        packer.Write("hall");
        packer.Write(5L);
        packer.Write(1.0);
        packer.Write(2u);
        packer.Write(true);
        packer.WriteNil();
        packer.WriteNil();
        packer.Write(9UL);
        packer.Write("future field");
        packer.WriteArrayHeader(0);
        packer.Flush();

        Assert.True(ReadingCodec.TryDecode(writer.WrittenMemory, out var decoded));
        Assert.Equal(9UL, decoded.Count);
    }

    public static TheoryData<byte[]> BadMessagePack => new()
    {
        Array.Empty<byte>(),
        new byte[] { 0x90 },
        new byte[] { 0x95, 0xA1, (byte)'x' },
        new byte[] { 0xC0 },
        new byte[] { 0xDD, 0xFF, 0xFF, 0xFF, 0xFF },
        new byte[] { 0x95, 0x01, 0x02, 0x03, 0x04, 0x05 },
        new byte[] { 0x95, 0xC0, 0x01, 0xCB, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xC3 },
        new byte[] { 0x95, 0xA1, (byte)'x', 0x01, 0xCB, 0, 0, 0, 0, 0, 0, 0, 0, 0xD0, 0xFF, 0xC3 },
        ReadingCodec.ToBytes(Full).Concat(new byte[] { 0x00 }).ToArray(),
        ReadingCodec.ToBytes(Full)[..^1],
    };

    [Theory]
    [MemberData(nameof(BadMessagePack))]
    public void Malformed_messagepack_is_refused_without_throwing(byte[] body)
    {
        Assert.False(ReadingCodec.TryDecode(body, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void A_json_record_round_trips_and_leaves_out_absent_optional_fields()
    {
        var greeting = new Greeting("thermo-7", 3, new byte[] { 0xDE, 0xAD }, null);

        var bytes = GreetingCodec.ToBytes(greeting);

        Assert.Equal("""{"name":"thermo-7","version":3,"token":"3q0="}""", Encoding.UTF8.GetString(bytes));
        Assert.True(GreetingCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(("thermo-7", 3, null), (decoded.Name, decoded.Version, decoded.Tags));
        Assert.Equal(greeting.Token, decoded.Token);
    }

    [Fact]
    public void A_json_record_accepts_any_field_order_nulls_and_unknown_fields()
    {
        var body = """{"extra":{"deep":[1,2,{"x":null}]},"tags":null,"version":-4,"name":"a"}"""u8.ToArray();

        Assert.True(GreetingCodec.TryDecode(body, out var decoded));
        Assert.Equal(new Greeting("a", -4, null, null), decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"name":"a"}""")]
    [InlineData("""{"name":null,"version":1}""")]
    [InlineData("""{"name":"a","version":"1"}""")]
    [InlineData("""{"name":"a","version":1.5}""")]
    [InlineData("""{"name":"a","version":99999999999}""")]
    [InlineData("""{"name":"a","version":1,"token":"not base64!"}""")]
    [InlineData("""{"name":"a","version":1} {}""")]
    [InlineData("""{"name":"a","version":1""")]
    public void Malformed_json_records_are_refused_without_throwing(string body)
    {
        Assert.False(GreetingCodec.TryDecode(Encoding.UTF8.GetBytes(body), out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Raw_and_empty_bodies_pass_bytes_through()
    {
        var writer = new ArrayBufferWriter<byte>();
        PayloadCodec.Encode(writer, new byte[] { 9, 8, 7 });

        Assert.True(PayloadCodec.TryDecode(writer.WrittenMemory, out var payload));
        Assert.Equal(new byte[] { 9, 8, 7 }, payload.ToArray());
        Assert.True(NothingCodec.TryDecode(ReadOnlySpan<byte>.Empty));
        Assert.False(NothingCodec.TryDecode(new byte[] { 0 }));
    }

    [Fact]
    public void Packets_of_the_test_spec_frame_their_records()
    {
        var wire = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(wire, PacketType.Measure, ReadingCodec.ToBytes(Full));
        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var frame));
        Assert.Equal(PacketType.Measure, frame.Type);
        Assert.True(ReadingCodec.TryDecode(frame.Body, out var decoded));
        Assert.Equal("kitchen", decoded.Sensor);
        Assert.Equal(PeerRoles.Sensor, PacketType.Measure.GetInfo().Senders);
        Assert.Equal(4096, FrameCodec.MaxFrameLength);
    }
}
