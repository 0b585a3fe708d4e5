using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Traversal.Punching;
using MyChips.Protocol.Traversal.Rendezvous;

namespace MyChips.Protocol.Traversal.Tests.Rendezvous;

/// <summary>A rendezvous server and its clients on loopback: observed addresses, punch signals by name, and the relay.</summary>
public sealed class RendezvousTests : IAsyncLifetime
{
    private static readonly HolePunchOptions Quick = new() { AttemptTimeout = TimeSpan.FromMilliseconds(400), SignalTimeout = TimeSpan.FromSeconds(5) };
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<Socket> _sockets = [];
    private RendezvousServer _server = null!;

    public Task InitializeAsync()
    {
        _server = RendezvousServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new RendezvousServerOptions { StaticPrivateKey = NewKey() });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        await _server.DisposeAsync();
        foreach (var socket in _sockets) socket.Dispose();
    }

    [Fact]
    public async Task A_client_learns_the_TCP_and_UDP_addresses_the_server_sees()
    {
        var udp = Udp();
        var alice = await ClientAsync("alice", udp);

        Assert.Equal(alice.Plan.LocalTcp, alice.Plan.ObservedTcp); // no NAT on loopback
        Assert.Equal(udp.LocalEndPoint, alice.Plan.ObservedUdp);
        Assert.NotNull(alice.Relay);
        Assert.Equal(1, _server.ClientCount);
    }

    [Fact]
    public async Task Two_clients_punch_a_direct_stream_through_the_server_s_signals()
    {
        var alice = await ClientAsync("alice", Udp());
        var bob = await ClientAsync("bob", Udp());

        var initiating = new HolePuncher(Quick).InitiateAsync(alice.PlanFor("bob"), alice.SignallingTo("bob"), alice.Relay);
        Assert.Equal("alice", await bob.Requests.ReadAsync().AsTask().WaitAsync(Deadlines.Short));
        var responding = new HolePuncher(Quick).RespondAsync(bob.PlanFor("alice"), bob.SignallingTo("alice"), bob.Relay);
        using var a = (await initiating.WaitAsync(Deadlines.Short)).Stream;
        var b = await responding.WaitAsync(Deadlines.Short);
        using var _ = b.Stream;

        Assert.True(b.IsDirect);
        Assert.Equal(alice.Plan.LocalTcp, b.Stream.RemoteEndPoint);
        Assert.Equal(bob.Plan.ObservedUdp, (await initiating).UdpPeer);
    }

    [Fact]
    public async Task When_punching_fails_the_relay_joins_the_two_streams()
    {
        var alice = await ClientAsync("alice", null);
        var bob = await ClientAsync("bob", null);
        var once = Quick with { Attempts = 1 };

        // Each side is told an address where nobody listens, as behind two NATs that map per destination.
        var initiating = new HolePuncher(once).InitiateAsync(alice.PlanFor("bob") with { ObservedTcp = DeadPort() }, alice.SignallingTo("bob"), alice.Relay);
        await bob.Requests.ReadAsync().AsTask().WaitAsync(Deadlines.Short);
        var responding = new HolePuncher(once).RespondAsync(bob.PlanFor("alice") with { ObservedTcp = DeadPort() }, bob.SignallingTo("alice"), bob.Relay);
        var a = await initiating.WaitAsync(Deadlines.Short);
        var b = await responding.WaitAsync(Deadlines.Short);
        using var sa = a.Stream;
        using var sb = b.Stream;
        await sa.SendAsync("through the relay"u8.ToArray());
        var buffer = new byte[17];
        var read = 0;
        while (read < buffer.Length) read += await sb.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Deadlines.Short);

        Assert.Equal((ConnectionMethod.Relay, ConnectionMethod.Relay), (a.Method, b.Method));
        Assert.Equal("through the relay"u8.ToArray(), buffer);
        Assert.Equal(1, _server.Relayed.Circuits);
    }

    [Fact]
    public async Task A_taken_name_is_refused_with_a_clear_error()
    {
        await ClientAsync("alice", null);

        var error = await Assert.ThrowsAsync<RendezvousException>(() => ClientAsync("alice", null));
        Assert.Contains("taken", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public async Task A_badly_formed_name_is_refused(string name)
    {
        var error = await Assert.ThrowsAsync<RendezvousException>(() => ClientAsync(name, null));
        Assert.Contains("letters, digits", error.Message);
    }

    [Fact]
    public async Task A_signal_to_nobody_fails_that_peer_s_channel_with_the_server_s_reason()
    {
        var alice = await ClientAsync("alice", null);

        var error = await Assert.ThrowsAsync<RendezvousException>(() => new HolePuncher(Quick).InitiateAsync(alice.PlanFor("carol"), alice.SignallingTo("carol"), null).WaitAsync(Deadlines.Short));
        Assert.Contains("no client named 'carol'", error.Message);
    }

    [Fact]
    public async Task A_probe_without_a_registered_token_gets_no_answer()
    {
        var udp = Udp();

        var seen = await UdpProbe.AskAsync(udp, _server.LocalEndPoint, new byte[16], attempts: 1, wait: TimeSpan.FromMilliseconds(300));

        Assert.Null(seen);
    }

    [Fact]
    public async Task A_relay_circuit_the_server_did_not_name_is_closed()
    {
        var alice = await ClientAsync("alice", null);

        await Assert.ThrowsAsync<HolePunchException>(() => alice.Relay!.OpenCircuitAsync(new byte[16], default).WaitAsync(Deadlines.Short));
    }

    private async Task<RendezvousClient> ClientAsync(string name, Socket? udp)
    {
        var client = await RendezvousClient.ConnectAsync(_server.LocalEndPoint, name, udp, new RendezvousClientOptions { StaticPrivateKey = NewKey() }).WaitAsync(Deadlines.Short);
        _owned.Add(client);
        return client;
    }

    private Socket Udp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sockets.Add(socket);
        return socket;
    }

    private static IPEndPoint DeadPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    internal static byte[] NewKey()
    {
        var (privateKey, publicKey) = (new byte[32], new byte[32]);
        X25519Keys.GenerateKeyPair(privateKey, publicKey);
        return privateKey;
    }
}
