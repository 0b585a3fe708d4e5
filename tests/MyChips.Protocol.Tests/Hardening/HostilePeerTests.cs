using System.Text;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>Scripted hostile peers: each attack ends in a silent close with its reason, and delivers nothing it should not.</summary>
public class HostilePeerTests
{
    private static async Task<CloseReason> ClosedReasonAsync(TestSite site) => (await site.WaitForCloseAsync()).CloseReason;

    [Fact]
    public async Task A_handshake_sent_byte_by_byte_is_closed_by_the_handshake_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, time: time);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking);

        // One byte a second: the default 10 s handshake timeout ends it long before the 100-odd bytes are out.
        await new HostileScript()
            .Trickle(RawDeclareAndKnock(agent.Agent), _ =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return ValueTask.CompletedTask;
            })
            .ExpectClose(TestSite.Deadline)
            .RunAsync(peer);

        Assert.Equal(CloseReason.HandshakeTimeout, await ClosedReasonAsync(b));
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task A_frame_trickled_on_an_open_connection_is_closed_by_the_idle_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, o => o with { IdleTimeout = TimeSpan.FromSeconds(5) }, time);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);
        Assert.Equal("""{"hello":1}""", (await b.ReceiveAsync()).JsonText);

        // Bytes of a frame that never completes are not traffic: only whole frames reset the idle timer.
        var sent = await peer.TrickleAsync(HostileFrames.Frame('T', new byte[200]), async i =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            // Six seconds in, past the 5 s idle timeout with the frame still incomplete: the node has closed.
            if (i == 5) Assert.True(await peer.WaitClosedAsync(TestSite.Deadline), "no idle close while the frame trickled in");
        });
        Assert.Equal(CloseReason.IdleTimeout, await ClosedReasonAsync(b));
        Assert.True(sent < 205, $"the whole frame went out ({sent} bytes)");
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task A_length_prefix_over_the_configured_limit_is_refused_before_any_body()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw, o => o with { MaxFrameLength = 1024 });
        await new HostileScript().Send(HostileFrames.Header(1025, 'N')).ExpectClose(TestSite.Deadline)
            .RunAsync(await HostilePeer.ConnectAsync(EndPoint(b), Hostile));
        Assert.Equal(CloseReason.OversizedFrame, await ClosedReasonAsync(b));
    }

    [Theory]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(0x8000_0000u)]
    [InlineData((1u << 20) + 2)]
    public async Task Huge_length_prefixes_are_refused_before_any_body(uint length)
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await new HostileScript().Send(HostileFrames.Header(length, 'N')).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.Equal(CloseReason.OversizedFrame, await ClosedReasonAsync(b));
    }

    [Fact]
    public async Task A_length_prefix_at_the_limit_then_a_trickle_holds_at_most_one_frame_until_the_handshake_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, o => o with { MaxFrameLength = 1024 }, time);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking);

        await peer.SendAsync(HostileFrames.Header(1024, 'N'));
        await peer.TrickleAsync(new byte[1023], _ =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return ValueTask.CompletedTask;
        });
        Assert.True(await peer.WaitClosedAsync(TestSite.Deadline));
        Assert.Equal(CloseReason.HandshakeTimeout, await ClosedReasonAsync(b));
    }

    [Fact]
    public async Task A_truncated_frame_then_end_of_stream_delivers_nothing()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        var handshake = RawDeclareAndKnock(agent.Agent);
        await peer.SendAsync(handshake.AsMemory(0, handshake.Length - 3));
        peer.Dispose();

        Assert.Equal(CloseReason.RemoteClosed, await ClosedReasonAsync(b));
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task A_valid_strict_handshake_followed_by_garbage_is_closed_as_bad_mac()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        using var cipher = await StrictOpenAsync(peer, b, agent);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        await new HostileScript().Frame('T', HostileFrames.Garbage(300, 1)).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.Equal(CloseReason.BadMac, await ClosedReasonAsync(b));
        Assert.Equal("""{"knock":1}""", (await b.ReceiveAsync()).JsonText);
        Assert.Equal("""{"confirm":1}""", (await b.ReceiveAsync()).JsonText);
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task A_valid_handshake_followed_by_random_bytes_is_closed()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        await new HostileScript().Send(HostileFrames.Garbage(4096, 7)).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.True((await ClosedReasonAsync(b)).IsHostile());
        Assert.Equal("""{"hello":1}""", (await b.ReceiveAsync()).JsonText);
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task A_T_replayed_on_its_own_connection_fails_its_mac_and_is_delivered_once()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        using var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        using var cipher = await StrictOpenAsync(peer, b, agent);
        var frame = EncryptedFrame(cipher, 'T', """{"pay":100}"""u8);

        await new HostileScript().Send(frame).Send(frame).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.Equal(CloseReason.BadMac, await ClosedReasonAsync(b));
        var received = new List<string>();
        while (b.Node.Messages.TryRead(out var message)) received.Add(message.JsonText);
        Assert.Equal(1, received.Count(m => m.Contains("pay", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData('N')]
    [InlineData('K')]
    [InlineData('I')]
    [InlineData('A')]
    public async Task A_handshake_packet_on_an_open_connection_is_refused(char type)
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        await new HostileScript().Frame(type, Encoding.UTF8.GetBytes("""{"again":1}""")).ExpectClose(TestSite.Deadline).RunAsync(peer);
        Assert.Equal(CloseReason.PacketNotAllowed, await ClosedReasonAsync(b));
        Assert.Equal("""{"hello":1}""", (await b.ReceiveAsync()).JsonText);
        Assert.False(b.HasMessage);
    }

    [Fact]
    public async Task K_before_N_and_T_before_K_are_refused()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        var agent = TrustedAgent(b);
        using (var first = await HostilePeer.ConnectAsync(EndPoint(b), Hostile))
        {
            await new HostileScript().Frame('K', """{"x":1}"""u8.ToArray()).ExpectClose(TestSite.Deadline).RunAsync(first);
        }
        Assert.Equal(CloseReason.PacketNotAllowed, await ClosedReasonAsync(b));

        using var second = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await new HostileScript()
            .Frame('N', AgentIdCodec.ToBytes(agent.Agent.ToString()))
            .Frame('T', """{"x":2}"""u8.ToArray())
            .ExpectClose(TestSite.Deadline)
            .RunAsync(second);
        Assert.Equal(2, b.States.Count(s => s.State == ConnectionState.Closed && s.CloseReason == CloseReason.PacketNotAllowed));
        Assert.False(b.HasMessage);
    }
}
