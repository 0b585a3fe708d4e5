using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Tests.Punching;

/// <summary>The DCUtR exchange and the punches on loopback sockets (no NAT: the observed addresses are the local ones).</summary>
public sealed class HolePuncherTests
{
    private static readonly HolePunchOptions Quick = new() { AttemptTimeout = TimeSpan.FromMilliseconds(500), SignalTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Both_sides_get_one_direct_stream_and_each_other_s_UDP_address()
    {
        var (a, b) = LinkedSignalling.Pair();
        using var udpA = Udp();
        using var udpB = Udp();
        var planA = Plan(FreePort(), udpA);
        var planB = Plan(FreePort(), udpB);

        var initiating = new HolePuncher(Quick).InitiateAsync(planA, a, relay: null);
        var responding = new HolePuncher(Quick).RespondAsync(planB, b, relay: null);
        var (initiator, responder) = (await initiating.WaitAsync(Deadlines.Short), await responding.WaitAsync(Deadlines.Short));
        using var streamA = initiator.Stream;
        using var streamB = responder.Stream;

        Assert.True(initiator.IsDirect && responder.IsDirect);
        Assert.Equal(streamA.LocalEndPoint, streamB.RemoteEndPoint); // one TCP connection, from the shared ports
        Assert.Equal(planA.LocalTcp, streamA.LocalEndPoint);
        await streamA.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        Assert.Equal(4, await streamB.ReceiveAsync(buffer).WaitAsync(Deadlines.Short));
        Assert.Equal(udpB.LocalEndPoint, initiator.UdpPeer);
        Assert.Equal(udpA.LocalEndPoint, responder.UdpPeer);
        Assert.Equal([PunchMessageKind.Connect, PunchMessageKind.Sync], a.Sent.Select(m => m.Kind));
    }

    [Fact]
    public async Task Three_failed_attempts_end_in_a_clear_error_when_there_is_no_relay()
    {
        var (a, b) = LinkedSignalling.Pair();
        // Each side tells the other an address where nobody is, as a NAT that maps per destination would.
        var planA = Plan(FreePort(), null) with { ObservedTcp = FreePort() };
        var unreachable = Plan(FreePort(), null) with { ObservedTcp = FreePort() };

        var responding = new HolePuncher(Quick).RespondAsync(unreachable, b, relay: null);
        var error = await Assert.ThrowsAsync<HolePunchException>(() => new HolePuncher(Quick).InitiateAsync(planA, a, relay: null).WaitAsync(Deadlines.Short));

        Assert.Contains("3 attempts", error.Message);
        Assert.Equal(3, a.Sent.Count(m => m.Kind == PunchMessageKind.Sync));
        Assert.False(responding.IsCompleted && !responding.IsFaulted);
    }

    [Fact]
    public async Task A_responder_that_hears_nothing_gives_up_with_a_clear_error()
    {
        var (_, b) = LinkedSignalling.Pair();
        var quiet = Quick with { SignalTimeout = TimeSpan.FromMilliseconds(100) };

        var error = await Assert.ThrowsAsync<HolePunchException>(() => new HolePuncher(quiet).RespondAsync(Plan(FreePort(), null), b, null).WaitAsync(Deadlines.Short));

        Assert.Contains("sent nothing", error.Message);
    }

    [Fact]
    public async Task A_message_out_of_order_is_refused()
    {
        var (a, b) = LinkedSignalling.Pair();
        await a.SendAsync(new PunchMessage(PunchMessageKind.Sync, 1), default);

        var error = await Assert.ThrowsAsync<HolePunchException>(() => new HolePuncher(Quick).RespondAsync(Plan(FreePort(), null), b, null).WaitAsync(Deadlines.Short));

        Assert.Contains("Expected CONNECT or RELAY", error.Message);
    }

    private static PunchPlan Plan(IPEndPoint tcp, Socket? udp) =>
        new(tcp, tcp, udp, (IPEndPoint?)udp?.LocalEndPoint) { UdpToken = "same token"u8.ToArray() };

    // A port the test reserves by binding and releasing it; the punch binds it again with reuse.
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
