using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Traversal.Calls;
using MyChips.Protocol.Traversal.Direct;
using MyChips.Protocol.Traversal.Punching;
using MyChips.Protocol.Traversal.Tests.Calls;
using MyChips.Protocol.Traversal.Tests.Punching;
using MyChips.Protocol.Traversal.Tests.Rendezvous;

namespace MyChips.Protocol.Traversal.Tests.Direct;

/// <summary>The direct channel over a punched stream on loopback: Noise XX, messages, and calls over UDP or on the channel.</summary>
public sealed class DirectChannelTests : IAsyncLifetime
{
    private static readonly HolePunchOptions Quick = new() { AttemptTimeout = TimeSpan.FromMilliseconds(500) };
    private readonly ProtocolNode _aliceNode = new(DirectCallDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = RendezvousTests.NewKey() });
    private readonly ProtocolNode _bobNode = new(DirectCallDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = RendezvousTests.NewKey() });
    private readonly Socket _aliceUdp = Udp();
    private readonly Socket _bobUdp = Udp();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _aliceNode.DisposeAsync();
        await _bobNode.DisposeAsync();
        _aliceUdp.Dispose();
        _bobUdp.Dispose();
    }

    [Fact]
    public async Task A_tone_crosses_a_call_over_the_punched_UDP_path_and_the_hangup_reaches_the_other_side()
    {
        var (alice, bob) = await ChannelsAsync(withUdp: true);
        await alice.SendMessageAsync("call me?");
        Assert.Equal("call me?", await bob.Messages.ReadAsync().AsTask().WaitAsync(Deadlines.Short));

        var placed = alice.CallAsync();
        var incoming = await bob.IncomingCalls.ReadAsync().AsTask().WaitAsync(Deadlines.Short);
        await using var aliceCall = await placed.WaitAsync(Deadlines.Short);
        var tone = Tone.Frames(50);
        foreach (var frame in tone) await aliceCall.SendAsync(frame);
        var heard = new List<MediaFrame>();
        while (heard.Count < tone.Length) heard.Add(await incoming.Received.ReadAsync().AsTask().WaitAsync(Deadlines.Short));

        Assert.True(aliceCall.IsUdp && incoming.IsUdp);
        Assert.Equal(tone.SelectMany(f => f), heard.OrderBy(f => f.Counter).SelectMany(f => f.Payload));
        await alice.HangUpAsync();
        Assert.Equal("hung up", (await bob.Endings.ReadAsync().AsTask().WaitAsync(Deadlines.Short)).Reason);
        Assert.Equal("Open", bob.Connection.StateName);
    }

    [Fact]
    public async Task Without_a_UDP_path_the_call_s_media_travel_on_the_channel()
    {
        var (alice, bob) = await ChannelsAsync(withUdp: false);

        var placed = bob.CallAsync(); // the responder may call too
        var incoming = await alice.IncomingCalls.ReadAsync().AsTask().WaitAsync(Deadlines.Short);
        await using var bobCall = await placed.WaitAsync(Deadlines.Short);
        var tone = Tone.Frames(20);
        foreach (var frame in tone) await bobCall.SendAsync(frame);
        var heard = new List<MediaFrame>();
        while (heard.Count < tone.Length) heard.Add(await incoming.Received.ReadAsync().AsTask().WaitAsync(Deadlines.Short));

        Assert.False(bobCall.IsUdp);
        Assert.Equal(tone.SelectMany(f => f), heard.SelectMany(f => f.Payload));
    }

    [Fact]
    public async Task A_second_call_while_one_is_under_way_is_a_clear_error()
    {
        var (alice, bob) = await ChannelsAsync(withUdp: false);
        var placed = alice.CallAsync();
        await bob.IncomingCalls.ReadAsync().AsTask().WaitAsync(Deadlines.Short);
        await placed.WaitAsync(Deadlines.Short);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => alice.CallAsync());
        Assert.Contains("InCall", error.Message);
    }

    private async Task<(DirectChannel Alice, DirectChannel Bob)> ChannelsAsync(bool withUdp)
    {
        var (a, b) = LinkedSignalling.Pair();
        var aliceTcp = FreePort();
        var bobTcp = FreePort();
        var alicePlan = new PunchPlan(aliceTcp, aliceTcp, withUdp ? _aliceUdp : null, withUdp ? (IPEndPoint)_aliceUdp.LocalEndPoint! : null) { UdpToken = new byte[16] };
        var bobPlan = new PunchPlan(bobTcp, bobTcp, withUdp ? _bobUdp : null, withUdp ? (IPEndPoint)_bobUdp.LocalEndPoint! : null) { UdpToken = new byte[16] };
        var initiating = new HolePuncher(Quick).InitiateAsync(alicePlan, a, null);
        var responding = new HolePuncher(Quick).RespondAsync(bobPlan, b, null);
        var alice = DirectChannel.Start(_aliceNode, await initiating.WaitAsync(Deadlines.Short), isInitiator: true, withUdp ? _aliceUdp : null);
        var bob = DirectChannel.Start(_bobNode, await responding.WaitAsync(Deadlines.Short), isInitiator: false, withUdp ? _bobUdp : null);
        await alice.Opened.WaitAsync(Deadlines.Short);
        await bob.Opened.WaitAsync(Deadlines.Short);
        return (alice, bob);
    }

    private static IPEndPoint FreePort()
    {
        using var probe = PortSharing.BoundTcp(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    private static Socket Udp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
