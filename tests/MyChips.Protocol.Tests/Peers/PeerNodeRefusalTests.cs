using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Every invalid case ends in a silently closed connection, a recorded reason, and no delivered message.</summary>
public class PeerNodeRefusalTests
{
    private static async Task AssertRefusedAsync(TestSite responder, CloseReason reason)
    {
        var closed = await responder.WaitForCloseAsync();
        Assert.Equal(reason, closed.CloseReason);
        Assert.False(responder.HasMessage);
    }

    [Fact]
    public async Task An_unknown_agent_is_refused_and_the_sender_is_told()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        a.Trust(b); // B does not know A.

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, """{"x":1}""").WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.HandshakeFailed, failure.Reason);
        await AssertRefusedAsync(b, CloseReason.UnknownAgent);
    }

    [Fact]
    public async Task An_initiator_without_the_key_the_provider_trusts_is_refused()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var other = AgentKey.Generate("127.0.0.1", 1);
        a.Trust(b);
        // B trusts another key for A's agent id: the provider's key is the one enforced.
        b.Keys.Add(new AgentRecord(a.Agent, other.Ed25519PublicKey.ToArray(), "127.0.0.1", a.Port));

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, """{"x":1}""").WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.HandshakeFailed, failure.Reason);
        await AssertRefusedAsync(b, CloseReason.WrongKey);
    }

    [Fact]
    public async Task A_tampered_N_is_refused_as_bad_mac()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var client = await RawClient.ConnectAsync(b.Port);
        await client.SendFrameAsync('N', new byte[93]);
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.BadMac);
    }

    [Theory]
    [InlineData('T')]
    [InlineData('A')]
    [InlineData('K')]
    [InlineData('R')]
    public async Task A_packet_the_listening_state_does_not_accept_is_refused(char type)
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var client = await RawClient.ConnectAsync(b.Port);
        await client.SendFrameAsync(type, """{"x":1}"""u8);
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.PacketNotAllowed);
    }

    [Fact]
    public async Task An_unknown_packet_type_is_refused_in_strict_mode()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var client = await RawClient.ConnectAsync(b.Port);
        await client.SendFrameAsync('Z', "{}"u8);
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.PacketNotAllowed);
    }

    [Fact]
    public async Task An_unknown_packet_type_is_ignored_in_raw_mode_as_the_JavaScript_peer_does()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Raw);
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        b.Trust(a);
        using var client = await RawClient.ConnectAsync(b.Port);
        await client.SendFrameAsync('Z', "not a packet"u8);
        await client.SendFrameAsync('N', System.Text.Encoding.UTF8.GetBytes($"\"{a.Agent}\""));
        await client.SendFrameAsync('Z', "still not one"u8);
        await client.SendFrameAsync('K', """{"n":1}"""u8);
        var (type, body) = await client.ReadFrameAsync();
        Assert.Equal(('A', 0), (type, body.Length));
        var received = await b.ReceiveAsync();
        Assert.Equal(a.Agent, received.From);
        Assert.Equal("""{"n":1}""", received.JsonText);
    }

    [Fact]
    public async Task An_oversized_frame_is_refused_from_its_length_alone()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var client = await RawClient.ConnectAsync(b.Port);
        // Only the 4-byte length and the type: the body is never sent, so the node must not wait for it.
        await client.SendAsync([0x00, 0x01, 0x00, 0x01, (byte)'T']);
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.OversizedFrame);
    }

    [Fact]
    public async Task An_empty_frame_is_refused_as_malformed()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var client = await RawClient.ConnectAsync(b.Port);
        await client.SendAsync([0, 0, 0, 0]);
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.MalformedPacket);
    }

    [Fact]
    public async Task A_ticket_works_once()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        await using var c = await TestSite.StartAsync(PeerMode.Strict);
        var ticket = await b.Tickets.IssueAsync(new TicketRequest(b.Key.AddressOf("b1"), TimeSpan.FromHours(1)));

        await a.SendAsync(b, """{"first":true}""", ticket).WaitAsync(TestSite.Deadline);
        Assert.Contains("first", (await b.ReceiveAsync()).JsonText, StringComparison.Ordinal);

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => c.SendAsync(b, """{"second":true}""", ticket).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.HandshakeFailed, failure.Reason);
        await AssertRefusedAsync(b, CloseReason.TicketUsed);
    }

    [Fact]
    public async Task An_expired_ticket_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, tickets: new InMemoryTicketStore(time));
        var ticket = await b.Tickets.IssueAsync(new TicketRequest(b.Key.AddressOf("b1"), TimeSpan.FromHours(1)));
        time.Advance(TimeSpan.FromHours(2));

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, """{"x":1}""", ticket).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.HandshakeFailed, failure.Reason);
        await AssertRefusedAsync(b, CloseReason.TicketExpired);
    }

    [Fact]
    public async Task An_unknown_ticket_is_refused()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var forged = new ConnectionTicket("not-issued", DateTimeOffset.UtcNow.AddHours(1), b.Key.AddressOf("b1"));

        await Assert.ThrowsAsync<DeliveryFailedException>(() => a.SendAsync(b, """{"x":1}""", forged).WaitAsync(TestSite.Deadline));
        await AssertRefusedAsync(b, CloseReason.TicketUnknown);
    }

    [Fact]
    public async Task A_connection_that_never_completes_its_handshake_times_out()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, time: time);
        using var client = await RawClient.ConnectAsync(b.Port);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.DoesNotContain(b.States, s => s.State == ConnectionState.Closed);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(await client.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, CloseReason.HandshakeTimeout);
    }

    [Fact]
    public async Task The_responder_closes_an_idle_connection_and_traffic_either_way_resets_the_timer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Compatible mode sends no receipts, so B's own sends are the only traffic in the middle step.
        await using var a = await TestSite.StartAsync(PeerMode.MyChipsJs);
        await using var b = await TestSite.StartAsync(PeerMode.MyChipsJs, time: time);
        TestSite.Introduce(a, b);
        await a.SendAsync(b, """{"open":1}""").WaitAsync(TestSite.Deadline);
        await b.ReceiveAsync();
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open && s.Direction == ConnectionDirection.Inbound);

        time.Advance(TimeSpan.FromSeconds(40));
        await b.SendAsync(a, """{"from":"b"}""").WaitAsync(TestSite.Deadline); // outbound traffic resets it
        await a.ReceiveAsync();
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(b.States, s => s.State == ConnectionState.Closed);

        time.Advance(TimeSpan.FromSeconds(21));
        var closed = await b.WaitForCloseAsync();
        Assert.Equal(CloseReason.IdleTimeout, closed.CloseReason);
    }

    [Fact]
    public async Task A_replayed_N_C_K_is_refused_by_the_replay_guard_before_A()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);
        await using var proxy = new RecordingProxy(b.Port);
        var viaProxy = new PeerDestination(b.Agent, "127.0.0.1", proxy.Port);
        await a.Node.SendAsync(viaProxy, """{"n":1}"""u8.ToArray()).WaitAsync(TestSite.Deadline);
        Assert.Equal("""{"n":1}""", (await b.ReceiveAsync()).JsonText);
        var recorded = proxy.ClientBytes; // N, C, K, R (key confirmation)

        foreach (var frames in new[] { 3, 4 })
        {
            using var replay = await RawClient.ConnectAsync(b.Port);
            await replay.SendAsync(recorded.AsSpan(0, FrameEnd(recorded, frames)).ToArray());
            Assert.Empty(await replay.ReadUntilClosedAsync());
        }
        Assert.Equal(2, b.States.Count(s => s.State == ConnectionState.Closed && s.CloseReason == CloseReason.Replayed));
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task Past_a_forgetful_replay_guard_a_replayed_K_is_held_until_it_times_out_and_a_replayed_T_fails_its_mac()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, time: time, replayGuard: new ForgetfulGuard());
        TestSite.Introduce(a, b);
        await using var proxy = new RecordingProxy(b.Port);
        var viaProxy = new PeerDestination(b.Agent, "127.0.0.1", proxy.Port);

        await a.Node.SendAsync(viaProxy, """{"n":1}"""u8.ToArray()).WaitAsync(TestSite.Deadline);
        await a.Node.SendAsync(viaProxy, """{"n":2}"""u8.ToArray()).WaitAsync(TestSite.Deadline);
        Assert.Equal("""{"n":1}""", (await b.ReceiveAsync()).JsonText);
        Assert.Equal("""{"n":2}""", (await b.ReceiveAsync()).JsonText);
        var recorded = proxy.ClientBytes; // N, C, K, R (key confirmation), T

        // N+C+K alone: B answers A (receipts were offered) but holds the message; nobody can confirm the keys.
        var handshake = recorded.AsSpan(0, FrameEnd(recorded, 3)).ToArray();
        using (var replay = await RawClient.ConnectAsync(b.Port))
        {
            await replay.SendAsync(handshake);
            var (type, _) = await replay.ReadFrameAsync();
            Assert.Equal('A', type);
            time.Advance(TimeSpan.FromSeconds(11));
            Assert.Empty(await replay.ReadUntilClosedAsync());
        }
        var timedOut = await b.WaitForStateAsync(s => s.State == ConnectionState.Closed && s.CloseReason == CloseReason.HandshakeTimeout);
        Assert.False(b.HasMessage);

        // The whole recording: the recorded R and T were encrypted under the first session's keys.
        using (var replay = await RawClient.ConnectAsync(b.Port))
        {
            await replay.SendAsync(recorded);
            await replay.ReadUntilClosedAsync();
        }
        await b.WaitForStateAsync(s => s.State == ConnectionState.Closed && s.CloseReason == CloseReason.BadMac);
        Assert.False(b.HasMessage);
        Assert.NotEqual(0, timedOut.ConnectionId);
    }

    [Theory]
    [InlineData(false, CloseReason.Replayed)]
    [InlineData(true, CloseReason.TicketUsed)]
    public async Task A_replayed_I_is_refused_by_the_replay_guard_or_else_its_used_ticket(bool forgetful, CloseReason reason)
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, replayGuard: forgetful ? new ForgetfulGuard() : null);
        await using var proxy = new RecordingProxy(b.Port);
        var ticket = await b.Tickets.IssueAsync(new TicketRequest(b.Key.AddressOf("b1"), TimeSpan.FromHours(1)));

        await a.Node.SendAsync(new PeerDestination(b.Agent, "127.0.0.1", proxy.Port), """{"n":1}"""u8.ToArray(), ticket).WaitAsync(TestSite.Deadline);
        await b.ReceiveAsync();
        var recorded = proxy.ClientBytes; // C, I, R

        using var replay = await RawClient.ConnectAsync(b.Port);
        await replay.SendAsync(recorded.AsSpan(0, FrameEnd(recorded, 2)).ToArray());
        Assert.Empty(await replay.ReadUntilClosedAsync());
        await AssertRefusedAsync(b, reason);
    }

    /// <summary>A guard that remembers nothing: what a node meets past its guard's memory, or after a restart without PostgreSQL.</summary>
    private sealed class ForgetfulGuard : IReplayGuard
    {
        public ValueTask<bool> TryAcceptAsync(ReadOnlyMemory<byte> ephemeralKey, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(true);
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_block_it_and_are_counted()
    {
        var closedReasons = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MyChips.Protocol.Peers" && instrument.Name == "mychips.peer.connections.closed") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    lock (closedReasons) closedReasons.Add((string)tag.Value!);
                }
            }
        });
        listener.Start();

        await using var b = await TestSite.StartAsync(PeerMode.Strict, o => o with { BlockList = new BlockListOptions { FailuresToBlock = 3 } });
        for (var i = 0; i < 3; i++)
        {
            using var client = await RawClient.ConnectAsync(b.Port);
            await client.SendFrameAsync('N', new byte[93]);
            await client.ReadUntilClosedAsync();
        }
        await b.WaitForStateAsync(s => s.State == ConnectionState.Closed && b.States.Count(c => c.State == ConnectionState.Closed) == 3);

        using (var blocked = await RawClient.ConnectAsync(b.Port))
        {
            await blocked.SendFrameAsync('N', new byte[93]);
            Assert.Empty(await blocked.ReadUntilClosedAsync());
        }
        // The blocked connection never reached a handshake.
        Assert.Equal(3, b.States.Count(s => s.State == ConnectionState.Handshaking));
        lock (closedReasons)
        {
            Assert.True(closedReasons.Count(r => r == "bad_mac") >= 3);
            Assert.Contains("blocked", closedReasons);
        }
    }

    /// <summary>Where the n-th frame of a recorded byte stream ends.</summary>
    private static int FrameEnd(byte[] stream, int frames)
    {
        var offset = 0;
        for (var i = 0; i < frames; i++)
            offset += 4 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(offset));
        return offset;
    }
}
