using System.Text.Json;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

public class PeerNodeMessagingTests
{
    public static TheoryData<PeerMode> Modes => new() { PeerMode.Strict, PeerMode.MyChipsJs, PeerMode.Raw };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Later_connection_N_then_KK_carries_messages_both_ways(PeerMode mode)
    {
        await using var a = await TestSite.StartAsync(mode);
        await using var b = await TestSite.StartAsync(mode);
        TestSite.Introduce(a, b);

        var receipt = await a.SendAsync(b, """{"target":"tally","action":"hello","n":1}""").WaitAsync(TestSite.Deadline);
        var received = await b.ReceiveAsync();
        Assert.Equal(a.Agent, received.From);
        Assert.Equal(a.AsFirstMessage("""{"target":"tally","action":"hello","n":1}"""), received.JsonText);
        Assert.Equal(b.Agent, receipt.Destination);

        // The reply reuses the connection A opened.
        await b.SendAsync(a, """{"reply":2}""").WaitAsync(TestSite.Deadline);
        var reply = await a.ReceiveAsync();
        Assert.Equal(b.Agent, reply.From);
        Assert.Equal("""{"reply":2}""", reply.JsonText);
        Assert.Equal(receipt.ConnectionId, reply.ConnectionId);
        Assert.DoesNotContain(b.States, s => s.Direction == ConnectionDirection.Outbound);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task First_time_ticket_connection_I_carries_the_ticket_and_messages_both_ways(PeerMode mode)
    {
        await using var a = await TestSite.StartAsync(mode);
        await using var b = await TestSite.StartAsync(mode);
        // B does not know A: only the ticket lets A in.
        var ticket = await b.Tickets.IssueAsync(new MyChips.Protocol.Keys.TicketRequest(b.Key.WithEndpoint("127.0.0.1", b.Port).AddressOf("b1"), TimeSpan.FromHours(1)));

        await a.SendAsync(b, """{"target":"tally","action":"ticket"}""", ticket).WaitAsync(TestSite.Deadline);
        var received = await b.ReceiveAsync();
        Assert.Equal(a.Agent, received.From);
        using (var document = received.ToDocument())
        {
            Assert.Equal(ticket.Token, document.RootElement.GetProperty("ticket").GetProperty("token").GetString());
            Assert.Equal(a.Agent.ToString(), document.RootElement.GetProperty("from").GetProperty("agent").GetString());
        }

        await b.SendAsync(a, """{"target":"tally","action":"accept"}""").WaitAsync(TestSite.Deadline);
        var reply = await a.ReceiveAsync();
        Assert.Equal(b.Agent, reply.From);
        Assert.Contains("accept", reply.JsonText, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_reply_to_a_first_time_visitor_goes_back_over_its_connection(PeerMode mode)
    {
        await using var a = await TestSite.StartAsync(mode);
        await using var b = await TestSite.StartAsync(mode);
        var ticket = await b.Tickets.IssueAsync(new MyChips.Protocol.Keys.TicketRequest(b.Key.WithEndpoint("127.0.0.1", b.Port).AddressOf("b1"), TimeSpan.FromHours(1)));
        await a.SendAsync(b, """{"target":"tally","action":"ticket"}""", ticket).WaitAsync(TestSite.Deadline);
        var received = await b.ReceiveAsync();

        // B's key provider does not know A: the reply can only use the connection A opened.
        var receipt = await b.Node.ReplyAsync(received, """{"target":"tally","action":"accept"}"""u8.ToArray()).WaitAsync(TestSite.Deadline);
        var reply = await a.ReceiveAsync();

        Assert.Equal(a.Agent, receipt.Destination);
        Assert.Equal(received.ConnectionId, receipt.ConnectionId);
        Assert.Equal("""{"target":"tally","action":"accept"}""", reply.JsonText);
        Assert.DoesNotContain(b.States, s => s.Direction == ConnectionDirection.Outbound);
    }

    [Fact]
    public async Task A_reply_to_an_unknown_sender_whose_connection_closed_fails_with_UnknownAgent()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var ticket = await b.Tickets.IssueAsync(new MyChips.Protocol.Keys.TicketRequest(b.Key.WithEndpoint("127.0.0.1", b.Port).AddressOf("b1"), TimeSpan.FromHours(1)));
        await a.SendAsync(b, """{"target":"tally","action":"ticket"}""", ticket).WaitAsync(TestSite.Deadline);
        var received = await b.ReceiveAsync();
        b.Node.Disconnect(a.Agent);
        await b.WaitForCloseAsync();

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => b.Node.ReplyAsync(received, """{"late":true}"""u8.ToArray()));

        Assert.Equal(DeliveryFailure.UnknownAgent, failure.Reason);
    }

    [Fact]
    public async Task Typed_messages_round_trip_through_source_generated_json()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);

        var sent = new TallyMessage("tally", "offer", 42);
        await a.Node.SendAsync(b.Destination, sent, TestJsonContext.Default.TallyMessage).WaitAsync(TestSite.Deadline);
        var received = (await b.ReceiveAsync()).Deserialize(TestJsonContext.Default.TallyMessage);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Messages_sent_before_the_handshake_are_queued_and_all_delivered_in_order()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);

        var sends = Enumerable.Range(0, 50).Select(i => a.SendAsync(b, $$"""{"seq":{{i}}}""")).ToArray();
        await Task.WhenAll(sends).WaitAsync(TestSite.Deadline);
        var received = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            using var document = (await b.ReceiveAsync()).ToDocument();
            received.Add(document.RootElement.GetProperty("seq").GetInt32());
        }
        Assert.Equal(Enumerable.Range(0, 50), received);
        // One connect for all of them.
        Assert.Single(a.States, s => s.State == ConnectionState.Connecting);
    }

    [Fact]
    public async Task An_unreachable_destination_fails_every_queued_message_with_a_reason()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var destination = b.Destination;
        await b.DisposeAsync();

        var sends = Enumerable.Range(0, 10)
            .Select(i => a.Node.SendAsync(destination, System.Text.Encoding.UTF8.GetBytes($$"""{"seq":{{i}}}""")))
            .ToArray();
        foreach (var send in sends)
        {
            var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => send.WaitAsync(TestSite.Deadline));
            Assert.Equal(DeliveryFailure.ConnectFailed, failure.Reason);
        }
    }

    [Fact]
    public async Task Sending_to_an_agent_the_key_provider_does_not_know_fails_with_UnknownAgent()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(
            () => a.Node.SendAsync(b.Agent, "{}"u8.ToArray()).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.UnknownAgent, failure.Reason);
    }

    [Fact]
    public async Task A_message_that_is_not_a_json_object_fails_with_InvalidMessage()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, "[1,2]").WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.InvalidMessage, failure.Reason);
    }

    [Fact]
    public async Task A_message_over_the_strict_limit_fails_with_MessageTooLarge()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var big = $$"""{"pad":"{{new string('x', 70_000)}}"}""";
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, big).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.MessageTooLarge, failure.Reason);
    }

    [Fact]
    public async Task Compatible_mode_carries_messages_over_65535_bytes()
    {
        await using var a = await TestSite.StartAsync(PeerMode.MyChipsJs);
        await using var b = await TestSite.StartAsync(PeerMode.MyChipsJs);
        TestSite.Introduce(a, b);
        var big = $$"""{"pad":"{{new string('x', 200_000)}}"}""";
        await a.SendAsync(b, """{"first":1}""").WaitAsync(TestSite.Deadline);
        await a.SendAsync(b, big).WaitAsync(TestSite.Deadline);
        Assert.Equal(a.AsFirstMessage("""{"first":1}"""), (await b.ReceiveAsync()).JsonText);
        Assert.Equal(big, (await b.ReceiveAsync()).JsonText);
    }
}

public sealed record TallyMessage(string Target, string Action, int Amount);

[System.Text.Json.Serialization.JsonSerializable(typeof(TallyMessage))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class TestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
