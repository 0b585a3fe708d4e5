using MyChips.Protocol.Testing;
using System.Buffers;
using System.Text;
using System.Text.Json;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Wire;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>The MyCHIPs body codecs: the agent id as a JSON string, messages as JSON objects.</summary>
public sealed class BodyCodecTests
{
    [Fact]
    public void Agent_id_round_trips_as_a_json_string()
    {
        var bytes = AgentIdCodec.ToBytes(WirePackets.AgentId);

        Assert.Equal("\"" + WirePackets.AgentId + "\"", Encoding.UTF8.GetString(bytes));
        Assert.True(AgentIdCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(WirePackets.AgentId, decoded);
    }

    [Fact]
    public void Agent_id_is_written_as_javascript_writes_it()
    {
        var bytes = AgentIdCodec.ToBytes("a+b<c>é");

        Assert.Equal("\"a+b<c>é\"", Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("\"abc")]
    [InlineData("\"abc\" \"def\"")]
    [InlineData("42")]
    [InlineData("{\"agent\":\"x\"}")]
    [InlineData("null")]
    public void Anything_but_one_json_string_is_not_an_agent_id(string body)
    {
        Assert.False(AgentIdCodec.TryDecode(Encoding.UTF8.GetBytes(body), out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Agent_id_decodes_from_a_multi_segment_body()
    {
        var bytes = AgentIdCodec.ToBytes("split-me");
        var body = Segments.Of(bytes[..3], bytes[3..]);

        Assert.True(AgentIdCodec.TryDecode(body, out var decoded));
        Assert.Equal("split-me", decoded);
    }

    [Fact]
    public void The_ticket_message_round_trips_with_its_ticket()
    {
        var bytes = Encoding.UTF8.GetBytes(WirePackets.TicketMessage);

        Assert.True(PeerMessageCodec.TryDecode(bytes, out var message));
        var ticket = message.GetProperty("ticket");
        Assert.Equal("f3b0c44298fc1c149afbf4c8996fb924", ticket.GetProperty("token").GetString());
        Assert.Equal("alice", ticket.GetProperty("chad").GetProperty("cuid").GetString());
        Assert.Equal(WirePackets.TicketMessage, Encoding.UTF8.GetString(PeerMessageCodec.ToBytes(message)));
    }

    [Fact]
    public void A_message_given_as_bytes_is_written_byte_for_byte()
    {
        var original = "{ \"b\" : 1,\n  \"a\": \"\\u00e9\" }"u8.ToArray();
        var wire = new ArrayBufferWriter<byte>();

        PeerMessageCodec.EncodeUtf8(wire, original);

        Assert.Equal(original, wire.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":}")]
    public void Anything_but_one_json_object_is_not_a_message(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        Assert.False(PeerMessageCodec.IsValid(bytes));
        Assert.False(PeerMessageCodec.TryDecode(bytes, out _));
        Assert.Throws<ArgumentException>(() => PeerMessageCodec.EncodeUtf8(new ArrayBufferWriter<byte>(), bytes));
    }

    [Fact]
    public void Encoding_a_non_object_message_is_refused()
    {
        using var document = JsonDocument.Parse("[1,2]");

        Assert.Throws<ArgumentException>(() => PeerMessageCodec.ToBytes(document.RootElement));
    }

    [Fact]
    public void Validating_a_message_allocates_nothing()
    {
        var bytes = Encoding.UTF8.GetBytes(WirePackets.TicketMessage);
        PeerMessageCodec.IsValid(bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var valid = PeerMessageCodec.IsValid(bytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(valid);
        Assert.Equal(0, allocated);
    }
}
