using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Punching;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Simulation;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>Hole-punch signalling over the overlay on real sockets: observed addresses, signals through a relay or a direct link, relay circuits as streams.</summary>
public sealed class PunchSignallingTests : IAsyncDisposable
{
    private static readonly PeerFlags RelayOffers = PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.EntryPoint | PeerFlags.Punch;
    private static readonly IPEndPoint SomeAddress = IPEndPoint.Parse("192.0.2.7:4000");

    private readonly LoopbackNodes _nodes = new();
    private readonly List<string> _drops = [];
    private readonly TaskCompletionSource<string> _firstDrop = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    private async Task<(OverlayNode Relay, OverlayNode Alice, OverlayNode Bob)> StartAsync(PeerFlags relayOffers, bool reachableBob = false)
    {
        var relay = _nodes.Add(options: new OverlayOptions { Offers = relayOffers });
        var alice = _nodes.Add(listen: false, options: new OverlayOptions { Offers = PeerFlags.Punch });
        var bob = _nodes.Add(listen: reachableBob, options: new OverlayOptions { Offers = PeerFlags.Reachable | PeerFlags.Punch });
        foreach (var node in new[] { relay, alice, bob }) node.Dropped += (_, drop) =>
        {
            lock (_drops) _drops.Add($"{drop.What}: {drop.Reason}");
            _firstDrop.TrySetResult(drop.Reason);
        };
        await alice.JoinAsync(relay.Self.Address!).WaitAsync(LoopbackNodes.Deadline);
        await bob.JoinAsync(relay.Self.Address!).WaitAsync(LoopbackNodes.Deadline);
        OverlaySimulation.Befriend(alice, bob, "alice", "bob");
        return (relay, alice, bob);
    }

    [Fact]
    public async Task A_node_learns_the_address_and_port_its_link_comes_from()
    {
        var relay = _nodes.Add(options: new OverlayOptions { Offers = RelayOffers });
        IPEndPoint? local = null;
        var transport = new TcpOverlayTransport(Identity.OverlayIdentity.Generate(), null, new TcpOverlayOptions
        {
            Dialer = async (remote, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(remote, cancellationToken);
                local = (IPEndPoint)socket.LocalEndPoint!;
                return socket;
            },
        });
        await using var node = new OverlayNode(Identity.OverlayIdentity.Generate(), transport, new OverlayOptions { Offers = PeerFlags.Punch });
        node.Start();
        await node.JoinAsync(relay.Self.Address!).WaitAsync(LoopbackNodes.Deadline);

        var link = await node.LinkToAsync(relay.Self);
        var seen = await link.ObserveAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);

        Assert.Equal(local, seen.Tcp);
        Assert.Equal(16, seen.UdpProbeToken.Length);
    }

    [Fact]
    public async Task The_UDP_probe_answers_a_token_it_handed_out_and_ignores_any_other()
    {
        var (relay, alice, _) = await StartAsync(RelayOffers);
        var observed = await (await alice.LinkToAsync(relay.Self)).ObserveAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
        var observer = IPEndPoint.Parse(relay.Self.Address!);

        await udp.SendToAsync(Probe(new byte[16]), observer); // a token never handed out: no answer
        await udp.SendToAsync(Probe(observed.UdpProbeToken.ToArray()), observer);
        var answer = new byte[64];
        var received = await udp.ReceiveFromAsync(answer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(LoopbackNodes.Deadline);

        Assert.True(received.ReceivedBytes <= 32);
        Assert.Equal("o" + udp.LocalEndPoint, System.Text.Encoding.ASCII.GetString(answer, 0, received.ReceivedBytes));
        Assert.Equal(0, udp.Available); // one answer, to the probe with the token
    }

    private static byte[] Probe(byte[] token) => [(byte)'O', .. token, .. new byte[15]];

    [Fact]
    public async Task Signals_pass_through_a_relay_both_ways_naming_their_sender()
    {
        var (relay, alice, bob) = await StartAsync(RelayOffers);
        var viaRelay = await alice.LinkToAsync(relay.Self);
        var connect = new OverlaySignal(OverlaySignalKind.Connect, 1, SomeAddress);

        await alice.SendSignalAsync(viaRelay, alice.Contacts.Find("bob")!, connect).WaitAsync(LoopbackNodes.Deadline);

        var asking = await bob.PunchRequests.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal("alice", asking.Name);
        Assert.Equal(connect, await bob.SignalsFrom(asking).ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline));
        var answer = new OverlaySignal(OverlaySignalKind.Connect, 1, IPEndPoint.Parse("198.51.100.3:5000"));
        await bob.SendSignalAsync(await bob.LinkToAsync(relay.Self), asking, answer).WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal(answer, await alice.SignalsFrom(alice.Contacts.Find("bob")!).ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline));
    }

    [Fact]
    public async Task A_peer_without_the_punch_flag_is_never_sent_a_punch_packet()
    {
        var (relay, alice, _) = await StartAsync(PeerFlags.Reachable | PeerFlags.Relay);
        var viaRelay = await alice.LinkToAsync(relay.Self);

        await Assert.ThrowsAsync<OverlayUnreachableException>(() => viaRelay.ObserveAsync().AsTask());
        await Assert.ThrowsAsync<OverlayUnreachableException>(() =>
            alice.SendSignalAsync(viaRelay, alice.Contacts.Find("bob")!, new OverlaySignal(OverlaySignalKind.Connect, 1, SomeAddress)));
        Assert.True(viaRelay.IsOpen);
    }

    [Fact]
    public async Task A_replayed_signal_is_refused()
    {
        var (_, alice, bob) = await StartAsync(RelayOffers, reachableBob: true);
        var direct = await alice.LinkToAsync(bob.Self);
        var connect = new OverlaySignal(OverlaySignalKind.Connect, 2, SomeAddress);

        await alice.SendSignalAsync(direct, alice.Contacts.Find("bob")!, connect);
        await alice.SendSignalAsync(direct, alice.Contacts.Find("bob")!, connect);

        Assert.Equal("a replayed or out-of-order signal", await _firstDrop.Task.WaitAsync(LoopbackNodes.Deadline));
        var inbox = bob.SignalsFrom(bob.Contacts.Find("alice")!);
        Assert.Equal(connect, await inbox.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline));
        Assert.False(inbox.TryRead(out _));
    }

    [Fact]
    public async Task A_signal_from_a_stranger_is_dropped()
    {
        var (_, _, bob) = await StartAsync(RelayOffers, reachableBob: true);
        var stranger = _nodes.Add(listen: false, options: new OverlayOptions { Offers = PeerFlags.Punch });
        var link = await stranger.LinkToAsync(bob.Self);

        await link.SendSignalAsync(bob.Identity.PublicKey, ReadOnlyMemory<byte>.Empty, new OverlaySignal(OverlaySignalKind.Connect, 1, SomeAddress));

        Assert.Equal("from a node that is not a contact", await _firstDrop.Task.WaitAsync(LoopbackNodes.Deadline));
        Assert.False(bob.PunchRequests.TryRead(out _));
    }

    [Fact]
    public async Task A_malformed_signal_closes_the_link_with_the_reason()
    {
        var (_, alice, bob) = await StartAsync(RelayOffers, reachableBob: true);
        var ended = new TaskCompletionSource<ConnectionCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        _nodes.TransportOf(2).ConnectionEnded += (_, reason) => ended.TrySetResult(reason);
        var direct = await alice.LinkToAsync(bob.Self);

        await direct.SendSignalAsync(bob.Identity.PublicKey, ReadOnlyMemory<byte>.Empty, new OverlaySignal(OverlaySignalKind.Sync, 99));

        var reason = await ended.Task.WaitAsync(LoopbackNodes.Deadline);
        Assert.Contains("attempt 99 outside 1 to 16", reason.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_circuit_carries_bytes_both_ways_as_a_stream()
    {
        var (relay, alice, bob) = await StartAsync(RelayOffers);
        Assert.True((await bob.ReserveRelayAsync().WaitAsync(LoopbackNodes.Deadline)).Accepted);
        var expected = bob.ExpectCircuit(bob.Contacts.Find("alice")!);

        await using var fromAlice = await alice.OpenCircuitAsync(await alice.LinkToAsync(relay.Self), alice.Contacts.Find("bob")!).WaitAsync(LoopbackNodes.Deadline);
        await using var atBob = await expected.WaitAsync(LoopbackNodes.Deadline);
        var big = Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray();
        await fromAlice.SendAsync(big);
        await atBob.SendAsync("back"u8.ToArray());

        var received = new List<byte>();
        while (received.Count < big.Length) received.AddRange((await atBob.Received.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline)).ToArray());
        Assert.Equal(big, received);
        Assert.Equal("back"u8.ToArray(), (await fromAlice.Received.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline)).ToArray());
        Assert.Equal(1, relay.RelayCircuits);
    }
}
