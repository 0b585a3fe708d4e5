using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Simulation;
using MyChips.Protocol.Overlay.Transport;
using MyChips.Protocol.Traversal.OverlayPunch;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Tests.OverlayPunch;

/// <summary>The hole punch over the overlay on loopback: signals and the UDP probe through an overlay relay, and its circuit as the fallback.</summary>
public sealed class OverlayPunchTests : IAsyncLifetime
{
    private static readonly HolePunchOptions Quick = new() { AttemptTimeout = TimeSpan.FromMilliseconds(500), SignalTimeout = TimeSpan.FromSeconds(5) };

    private readonly List<IAsyncDisposable> _owned = [];
    private OverlayNode _relay = null!;
    private Peer _alice = null!;
    private Peer _bob = null!;

    private sealed record Peer(OverlayNode Node, SharedPortDialer Dialer, Socket Udp);

    public async Task InitializeAsync()
    {
        var relayIdentity = OverlayIdentity.Generate();
        _relay = new OverlayNode(relayIdentity, new TcpOverlayTransport(relayIdentity, new IPEndPoint(IPAddress.Parse("127.0.0.60"), 0)),
            new OverlayOptions { Offers = PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.Punch });
        _owned.Add(_relay);
        _relay.Start();
        _alice = await JoinAsync("127.0.0.61");
        _bob = await JoinAsync("127.0.0.62");
        OverlaySimulation.Befriend(_alice.Node, _bob.Node, "alice", "bob");
        Assert.True((await _bob.Node.ReserveRelayAsync().WaitAsync(Deadlines.Short)).Accepted);
    }

    private async Task<Peer> JoinAsync(string address)
    {
        var identity = OverlayIdentity.Generate();
        var dialer = new SharedPortDialer(IPAddress.Parse(address));
        var node = new OverlayNode(identity, new TcpOverlayTransport(identity, null, new TcpOverlayOptions { Dialer = dialer.DialAsync }), new OverlayOptions { Offers = PeerFlags.Punch });
        _owned.Add(node);
        node.Start();
        await node.JoinAsync(_relay.Self.Address!).WaitAsync(Deadlines.Short);
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return new Peer(node, dialer, udp);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        _alice?.Udp.Dispose();
        _bob?.Udp.Dispose();
    }

    private async Task<(OverlayPunchChannel Alice, OverlayPunchChannel Bob)> ChannelsAsync()
    {
        var alice = new OverlayPunchChannel(_alice.Node, await _alice.Node.LinkToAsync(_relay.Self), _alice.Node.Contacts.Find("bob")!, isInitiator: true);
        var bob = new OverlayPunchChannel(_bob.Node, await _bob.Node.LinkToAsync(_relay.Self), _bob.Node.Contacts.Find("alice")!, isInitiator: false);
        return (alice, bob);
    }

    [Fact]
    public async Task The_punch_signals_and_the_UDP_probe_go_through_the_overlay_relay_and_give_a_direct_stream()
    {
        var (alice, bob) = await ChannelsAsync();
        using var _ = alice;
        using var __ = bob;
        var planA = await alice.PlanAsync(_alice.Dialer, _alice.Udp).WaitAsync(Deadlines.Short);
        var planB = await bob.PlanAsync(_bob.Dialer, _bob.Udp).WaitAsync(Deadlines.Short);

        var initiating = new HolePuncher(Quick).InitiateAsync(planA, alice, alice);
        var responding = new HolePuncher(Quick).RespondAsync(planB, bob, bob);
        var (initiator, responder) = (await initiating.WaitAsync(Deadlines.Short), await responding.WaitAsync(Deadlines.Short));
        using var streamA = initiator.Stream;
        using var streamB = responder.Stream;

        Assert.Equal(_alice.Dialer.LocalEndPoint, planA.ObservedTcp);
        Assert.Equal(_bob.Udp.LocalEndPoint, planB.ObservedUdp);
        Assert.True(initiator.IsDirect && responder.IsDirect);
        Assert.Equal(_bob.Udp.LocalEndPoint, initiator.UdpPeer);
        Assert.Equal(streamA.LocalEndPoint, streamB.RemoteEndPoint);
        Assert.Equal(0, _relay.RelayCircuits);
    }

    [Fact]
    public async Task When_punching_fails_the_overlay_relay_s_circuit_carries_the_stream()
    {
        var (alice, bob) = await ChannelsAsync();
        using var _ = alice;
        using var __ = bob;
        // Each side tells the other an address where nobody listens, as a NAT that maps per destination would.
        var planA = await alice.PlanAsync(_alice.Dialer).WaitAsync(Deadlines.Short) with { ObservedTcp = Nowhere() };
        var planB = await bob.PlanAsync(_bob.Dialer).WaitAsync(Deadlines.Short) with { ObservedTcp = Nowhere() };

        var initiating = new HolePuncher(Quick).InitiateAsync(planA, alice, alice);
        var responding = new HolePuncher(Quick).RespondAsync(planB, bob, bob);
        var (initiator, responder) = (await initiating.WaitAsync(Deadlines.Short * 2), await responding.WaitAsync(Deadlines.Short * 2));
        using var streamA = initiator.Stream;
        using var streamB = responder.Stream;

        Assert.Equal((ConnectionMethod.Relay, ConnectionMethod.Relay), (initiator.Method, responder.Method));
        Assert.Equal(1, _relay.RelayCircuits);
        await streamA.SendAsync("over the relay"u8.ToArray());
        await streamB.SendAsync("and back"u8.ToArray());
        Assert.Equal("over the relay", await ReadAsync(streamB, 14));
        Assert.Equal("and back", await ReadAsync(streamA, 8));
    }

    private static IPEndPoint Nowhere()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!; // free once the socket is closed: nothing listens there
    }

    private static async Task<string> ReadAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Deadlines.Short);
            if (n == 0) break;
            read += n;
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }
}
