using System.Text.Json;
using System.Text.Json.Nodes;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Interop.Tests.JsPeer.JsPeerPair;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>Two JavaScript peers talk to each other as deployed MyCHIPs peers do (mychips-wire.md).</summary>
public sealed class JsPeerHandshakeTests
{
    [Theory]
    [InlineData("encrypted")]
    [InlineData("raw")]
    public async Task N_and_KK_open_a_channel_that_carries_messages_both_ways(string mode)
    {
        await using var pair = await StartAsync(mode, r => r with { Echo = true });

        await pair.Initiator.SendAsync(new JsonObject { ["target"] = "tally", ["action"] = "hello", ["n"] = 1 });

        var first = await pair.Responder.WaitForEventAsync("received", e => Packet(e) == "K");
        var message = first.GetProperty("message");
        Assert.Equal("hello", message.GetProperty("action").GetString());
        Assert.Equal(pair.Initiator.Agent, first.GetProperty("from").GetString());
        Assert.Equal(pair.Initiator.Agent, message.GetProperty("from").GetProperty("agent").GetString());
        var responderOpen = await pair.Responder.WaitForEventAsync("open");
        Assert.Equal("KK", responderOpen.GetProperty("handshake").GetString());
        Assert.Equal(pair.Initiator.Agent, responderOpen.GetProperty("agent").GetString());
        var initiatorOpen = await pair.Initiator.WaitForEventAsync("open");
        Assert.Equal(pair.Responder.Agent, initiatorOpen.GetProperty("agent").GetString());

        // The responder's echo comes back as T, with the message unchanged.
        var echo = await pair.Initiator.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal(message.GetRawText(), echo.GetProperty("message").GetProperty("echo").GetRawText());

        // T from the initiator, and T from the responder on the connection the initiator opened.
        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 2, ["text"] = "from the initiator" });
        var second = await pair.Responder.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal("from the initiator", second.GetProperty("message").GetProperty("text").GetString());
        await pair.Responder.SendAsync(new JsonObject { ["n"] = 3, ["text"] = "from the responder" }, to: pair.Initiator.Agent);
        var third = await pair.Initiator.WaitForEventAsync("received", e => Message(e).TryGetProperty("text", out var t) && t.GetString() == "from the responder");
        Assert.Equal("T", Packet(third));
        Assert.Single(pair.Responder.EventsNamed("connected")); // one TCP connection carried it all

        var kJson = JsonLength(message);
        var tJson = JsonLength(second.GetProperty("message"));
        var echoJson = JsonLength(echo.GetProperty("message"));
        var encrypted = mode == "encrypted";
        Assert.Equal(encrypted ? 94 : 1 + 45, FrameLength(pair.Responder, "in", "N")); // raw: the agent id as a JSON string
        Assert.Equal(kJson + (encrypted ? 49 : 1), FrameLength(pair.Responder, "in", "K"));
        Assert.Equal(encrypted ? 49 : 1, FrameLength(pair.Initiator, "in", "A"));
        Assert.Equal(echoJson + (encrypted ? 17 : 1), FrameLength(pair.Initiator, "in", "T"));
        Assert.Equal(tJson + (encrypted ? 17 : 1), FrameLength(pair.Responder, "in", "T"));
        // What one side writes is what the other reads.
        Assert.Equal(FrameLength(pair.Initiator, "out", "K"), FrameLength(pair.Responder, "in", "K"));
        Assert.Equal(FrameLength(pair.Responder, "out", "A"), FrameLength(pair.Initiator, "in", "A"));
    }

    [Theory]
    [InlineData("encrypted")]
    [InlineData("raw")]
    public async Task A_ticket_opens_an_IK_channel_once(string mode)
    {
        await using var pair = await StartAsync(mode, r => r with { Echo = true, Tokens = ["token-1"] });
        var ticketMessage = TicketMessage("token-1", pair.Responder.Agent);

        await pair.Initiator.SendAsync(ticketMessage.DeepClone().AsObject());

        var opened = await pair.Responder.WaitForEventAsync("open");
        Assert.Equal("IK", opened.GetProperty("handshake").GetString());
        Assert.Equal(pair.Initiator.Agent, opened.GetProperty("agent").GetString());
        if (mode == "encrypted") Assert.True(opened.GetProperty("keyMatch").GetBoolean()); // the handshake key is the declared agent's
        var received = await pair.Responder.WaitForEventAsync("received", e => Packet(e) == "I");
        var message = received.GetProperty("message");
        Assert.Equal("token-1", message.GetProperty("ticket").GetProperty("token").GetString());
        var echo = await pair.Initiator.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal(message.GetRawText(), echo.GetProperty("message").GetProperty("echo").GetRawText());
        Assert.Equal(JsonLength(message) + (mode == "encrypted" ? 97 : 1), FrameLength(pair.Responder, "in", "I"));
        Assert.Equal(mode == "encrypted" ? 49 : 1, FrameLength(pair.Initiator, "in", "A"));

        // A second connection with the same token is refused and closed.
        await pair.Initiator.CommandAsync(new JsonObject { ["close"] = pair.Responder.Agent });
        await pair.Initiator.WaitForEventAsync("closed");
        var mark = pair.Initiator.EventCount;
        await pair.Initiator.SendAsync(ticketMessage.DeepClone().AsObject());

        var rejected = await pair.Responder.WaitForEventAsync("rejected");
        Assert.Contains("ticket token not accepted", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await pair.Initiator.WaitForEventAsync("closed", fromIndex: mark);
        Assert.Single(pair.Responder.EventsNamed("open"));
        Assert.Single(pair.Responder.EventsNamed("received"));
    }

    [Fact]
    public async Task A_ticket_given_to_the_initiator_opens_its_first_connection_with_IK_and_later_ones_with_KK()
    {
        await using var pair = await StartAsync("encrypted",
            r => r with { Tokens = ["token-2"] },
            i => i with { TicketJson = """{"token":"token-2","expires":"2030-01-01T00:00:00Z"}""" });

        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 1 });

        var first = await pair.Responder.WaitForEventAsync("received");
        Assert.Equal("I", Packet(first));
        Assert.Equal("token-2", Message(first).GetProperty("ticket").GetProperty("token").GetString());
        Assert.Equal(1, Message(first).GetProperty("n").GetInt32());
        await pair.Initiator.WaitForEventAsync("open");
        await pair.Initiator.CommandAsync(new JsonObject { ["close"] = pair.Responder.Agent });
        await pair.Initiator.WaitForEventAsync("closed");

        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 2 });

        var second = await pair.Responder.WaitForEventAsync("received", e => Packet(e) == "K");
        Assert.False(Message(second).TryGetProperty("ticket", out _));
        Assert.Equal(["IK", "KK"], pair.Responder.EventsNamed("open").Select(e => e.GetProperty("handshake").GetString()));
    }

    [Fact]
    public async Task A_ticket_in_the_send_command_opens_with_IK()
    {
        await using var pair = await StartAsync("raw", r => r with { Tokens = ["token-3"] });

        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 1 }, ticket: new JsonObject { ["token"] = "token-3" });

        var opened = await pair.Responder.WaitForEventAsync("open");
        Assert.Equal("IK", opened.GetProperty("handshake").GetString());
        var received = await pair.Responder.WaitForEventAsync("received");
        Assert.Equal("token-3", Message(received).GetProperty("ticket").GetProperty("token").GetString());
    }

    [Fact]
    public async Task The_deployed_IK_initiator_sends_a_one_byte_I_frame_that_is_refused()
    {
        await using var pair = await StartAsync("encrypted", initiator: i => i with { BrokenIkInitiator = true });

        await pair.Initiator.SendAsync(TicketMessage("any", pair.Responder.Agent));

        var rejected = await pair.Responder.WaitForEventAsync("rejected");
        Assert.Equal(1, FrameLength(pair.Responder, "in", "I"));
        Assert.StartsWith("I packet failed", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await pair.Initiator.WaitForEventAsync("closed");
        Assert.Empty(pair.Responder.EventsNamed("open"));
        Assert.Empty(pair.Initiator.EventsNamed("open"));
    }

    [Fact]
    public async Task An_agent_the_responder_does_not_know_is_refused_after_its_N_packet()
    {
        await using var stranger = await JsPeerProcess.StartAsync(new JsPeerOptions());
        await using var pair = await StartAsync("encrypted", r => r with { Known = [stranger.Agent] });

        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 1 });

        var rejected = await pair.Responder.WaitForEventAsync("rejected");
        Assert.Equal($"unknown agent {pair.Initiator.Agent}", rejected.GetProperty("reason").GetString());
        var closed = await pair.Initiator.WaitForEventAsync("closed");
        Assert.Equal("remote closed", closed.GetProperty("reason").GetString());
        Assert.Empty(pair.Responder.EventsNamed("received"));
        Assert.Empty(pair.Initiator.EventsNamed("open"));
    }

    [Fact]
    public async Task Messages_larger_than_a_Noise_message_pass_as_the_deployed_peer_sends_them()
    {
        await using var pair = await StartAsync("encrypted");
        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 1 });
        await pair.Initiator.WaitForEventAsync("open");
        var text = new string('x', 200_000);

        await pair.Initiator.SendAsync(new JsonObject { ["big"] = text });

        var received = await pair.Responder.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal(text, received.GetProperty("message").GetProperty("big").GetString());
        Assert.Equal(JsonLength(received.GetProperty("message")) + 17, FrameLength(pair.Responder, "in", "T"));
    }

    [Fact]
    public async Task A_quiet_echoing_responder_answers_a_burst_of_messages()
    {
        await using var pair = await StartAsync("encrypted", r => r with { Echo = true, Quiet = true });
        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 0 });
        await pair.Initiator.WaitForEventAsync("open");
        await pair.Initiator.WaitForReceivedCountAsync(1); // the echo of the first message

        await pair.Initiator.SendRepeatedAsync(new JsonObject { ["payload"] = new string('p', 200) }, 500);

        await pair.Initiator.WaitForReceivedCountAsync(501);
        var responder = await pair.Responder.StatsAsync();
        Assert.Equal((501L, 501L, 0L), responder);
        Assert.Empty(pair.Responder.EventsNamed("frame")); // quiet: no per-frame events
    }

    [Fact]
    public async Task The_responder_closes_an_idle_connection()
    {
        await using var pair = await StartAsync("encrypted", r => r with { IdleMilliseconds = 300 });

        await pair.Initiator.SendAsync(new JsonObject { ["n"] = 1 });

        var closed = await pair.Responder.WaitForEventAsync("closed");
        Assert.Equal("idle", closed.GetProperty("reason").GetString());
        await pair.Initiator.WaitForEventAsync("closed");
        Assert.Single(pair.Responder.EventsNamed("received")); // the message arrived before the close
    }

    internal static string? Packet(JsonElement e) => e.GetProperty("packet").GetString();

    internal static JsonElement Message(JsonElement e) => e.GetProperty("message");

    private static JsonObject TicketMessage(string token, string issuerAgent) => new()
    {
        ["target"] = "tally",
        ["action"] = "ticket",
        ["to"] = new JsonObject { ["cuid"] = "issuer", ["agent"] = issuerAgent },
        ["ticket"] = new JsonObject
        {
            ["token"] = token,
            ["expires"] = "2030-01-01T00:00:00Z",
            ["chad"] = new JsonObject { ["cuid"] = "issuer", ["agent"] = issuerAgent, ["host"] = "127.0.0.1", ["port"] = 65430 },
        },
    };
}
