using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Hardening;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>
/// What the fuzz targets found, kept as regression tests. Invalid UTF-8 inside a JSON string passes
/// Utf8JsonReader's token checks; GetString then threw InvalidOperationException out of the body codecs'
/// TryDecode, and the node closed the connection as a socket error instead of a malformed packet.
/// </summary>
public class FuzzFindingsTests
{
    private static readonly byte[] AgentIdWithBadUtf8 = [(byte)'"', 0x61, 0xFC, 0x62, (byte)'"'];
    private static readonly byte[] ObjectWithBadUtf8 = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}'];

    [Fact]
    public void An_agent_id_string_with_invalid_utf8_is_refused_not_thrown()
    {
        Assert.False(AgentIdCodec.TryDecode(AgentIdWithBadUtf8, out var value));
        Assert.Null(value);
        Assert.False(MessageJson.TryParseAgentId(AgentIdWithBadUtf8, out _));
    }

    [Fact]
    public void A_message_with_invalid_utf8_in_a_string_is_not_a_message()
    {
        Assert.False(PeerMessageCodec.IsValid(ObjectWithBadUtf8));
        Assert.False(PeerMessageCodec.TryDecode(ObjectWithBadUtf8, out _));
    }

    [Fact]
    public void A_ticket_request_with_invalid_utf8_is_refused_not_thrown()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""{"ticket":{"token":"T0KEN"},"from":{"agent":"x"}}""");
        bytes[22] = 0xFE;
        Assert.False(MessageJson.TryReadTicketRequest(bytes, out _, out _, out _));
    }

    [Fact]
    public async Task An_N_naming_an_agent_in_invalid_utf8_is_closed_as_malformed()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var peer = await HostilePeer.ConnectAsync(HostileHandshakes.EndPoint(b), HostileHandshakes.Hostile);
        await new HostileScript().Frame('N', AgentIdWithBadUtf8).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.Equal(CloseReason.MalformedPacket, (await b.WaitForCloseAsync()).CloseReason);
    }
}
