using System.Net;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>Floods of connections and of handshakes: each bound closes the surplus at once and leaves the rest alone.</summary>
public class ConnectionLimitTests
{
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    private static Task<TestSite> StartAsync(Func<PeerLimits, PeerLimits> limits) =>
        TestSite.StartAsync(PeerMode.Raw, o => o with { Limits = limits(o.Limits), HandshakeTimeout = TimeSpan.FromMinutes(5) });

    [Fact]
    public void The_defaults_are_bounded_and_nonsense_is_refused()
    {
        var limits = new PeerLimits();
        Assert.Equal(10_000, limits.MaxConnections);
        Assert.Equal(64, limits.MaxConnectionsPerAddress);
        Assert.Equal(512, limits.MaxPendingHandshakes);
        Assert.Equal(16, limits.MaxPendingHandshakesPerAddress);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.WriteStallTimeout);

        using var key = MyChips.Protocol.Keys.AgentKey.Generate("127.0.0.1", 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerNode(new PeerNodeOptions { LocalKey = key, Limits = limits with { MaxConnectionsPerAddress = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerNode(new PeerNodeOptions { LocalKey = key, Limits = limits with { MaxPendingHandshakes = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerNode(new PeerNodeOptions { LocalKey = key, Limits = limits with { WriteStallTimeout = TimeSpan.Zero } }));
    }

    [Fact]
    public async Task Connections_over_the_per_address_limit_are_closed_and_other_addresses_still_get_in()
    {
        using var refusals = new RefusalCounter();
        await using var b = await StartAsync(l => l with { MaxConnectionsPerAddress = 3 });
        using var flood = await HostileFlood.OpenAsync(EndPoint(b), 5, Hostile);

        await Task.WhenAll(flood.Peers.Skip(3).Select(p => p.Closed)).WaitAsync(TestSite.Deadline);
        Assert.Equal(3, b.Node.ConnectionCount);
        Assert.All(flood.Peers.Take(3), p => Assert.False(p.IsClosed));
        Assert.True(refusals.Refused(CloseReason.ConnectionLimit) >= 2);

        using var other = await HostilePeer.ConnectAsync(EndPoint(b), Other);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking && s.RemoteEndPoint is IPEndPoint e && e.Address.Equals(Other));
        Assert.Equal(4, b.Node.ConnectionCount);
    }

    [Fact]
    public async Task Connections_over_the_total_limit_are_closed()
    {
        await using var b = await StartAsync(l => l with { MaxConnections = 2 });
        using var first = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        using var second = await HostilePeer.ConnectAsync(EndPoint(b), Other);
        using var third = await HostilePeer.ConnectAsync(EndPoint(b), IPAddress.Parse("127.0.0.4"));

        Assert.True(await third.WaitClosedAsync(TestSite.Deadline));
        Assert.Equal(2, b.Node.ConnectionCount);
        Assert.False(first.IsClosed);
        Assert.False(second.IsClosed);
    }

    [Fact]
    public async Task A_closed_connection_frees_its_slot()
    {
        await using var b = await StartAsync(l => l with { MaxConnectionsPerAddress = 1 });
        var first = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        var firstId = (await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking)).ConnectionId;
        using (var refused = await HostilePeer.ConnectAsync(EndPoint(b), Hostile))
        {
            Assert.True(await refused.WaitClosedAsync(TestSite.Deadline));
        }

        first.Dispose();
        await b.WaitForCloseAsync();
        using var again = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking && s.ConnectionId != firstId);
        Assert.Equal(1, b.Node.ConnectionCount);
        Assert.False(again.IsClosed);
    }

    [Fact]
    public async Task Handshakes_over_the_per_address_limit_are_closed_until_one_completes()
    {
        using var refusals = new RefusalCounter();
        await using var b = await StartAsync(l => l with { MaxPendingHandshakesPerAddress = 2 });
        var agent = TrustedAgent(b);
        using var pending = await HostileFlood.OpenAsync(EndPoint(b), 2, Hostile);
        using (var third = await HostilePeer.ConnectAsync(EndPoint(b), Hostile))
        {
            Assert.True(await third.WaitClosedAsync(TestSite.Deadline));
        }
        Assert.True(refusals.Refused(CloseReason.HandshakeLimit) >= 1);
        Assert.Equal(2, b.Node.PendingHandshakeCount);

        // One of the two completes its handshake: it no longer counts as pending, so a new one gets in.
        await pending.Peers[0].SendAsync(RawDeclareAndKnock(agent.Agent));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);
        Assert.Equal(1, b.Node.PendingHandshakeCount);
        using var fourth = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking && s.ConnectionId >= 3);
        Assert.Equal(2, b.Node.PendingHandshakeCount);
        Assert.Equal(3, b.Node.ConnectionCount);
        Assert.Equal("""{"hello":1}""", (await b.ReceiveAsync()).JsonText);
    }

    [Fact]
    public async Task Handshakes_over_the_total_limit_are_closed()
    {
        await using var b = await StartAsync(l => l with { MaxPendingHandshakes = 1 });
        using var first = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        using var second = await HostilePeer.ConnectAsync(EndPoint(b), Other);

        Assert.True(await second.WaitClosedAsync(TestSite.Deadline));
        Assert.False(first.IsClosed);
        Assert.Equal(1, b.Node.PendingHandshakeCount);
    }
}
