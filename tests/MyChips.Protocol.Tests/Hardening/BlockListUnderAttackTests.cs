using System.Net;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>An address that keeps failing handshakes is blocked; other addresses are not.</summary>
public class BlockListUnderAttackTests
{
    [Fact]
    public async Task Repeated_garbage_handshakes_block_the_address_and_only_that_address()
    {
        using var counter = new RefusalCounter();
        await using var b = await TestSite.StartAsync(PeerMode.Strict, o => o with
        {
            BlockList = new BlockListOptions { FailuresToBlock = 3, Window = TimeSpan.FromMinutes(1), BlockFor = TimeSpan.FromMinutes(1) },
        });
        for (var i = 0; i < 3; i++)
        {
            using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
            await new HostileScript().Frame('N', HostileFrames.Garbage(93, i)).ExpectClose(TestSite.Deadline).RunAsync(peer);
        }
        await b.WaitForStateAsync(_ => b.States.Count(s => s.State == ConnectionState.Closed && s.CloseReason == CloseReason.BadMac) == 3);

        // Blocked: closed at accept, before it could send anything, and never reported as a connection.
        using (var blocked = await HostilePeer.ConnectAsync(EndPoint(b), Hostile))
        {
            Assert.True(await blocked.WaitClosedAsync(TestSite.Deadline));
        }
        Assert.True(counter.Closed(CloseReason.Blocked) >= 1);
        Assert.Equal(3, b.States.Count(s => s.State == ConnectionState.Handshaking));

        using var other = await HostilePeer.ConnectAsync(EndPoint(b), IPAddress.Parse("127.0.0.5"));
        await b.WaitForStateAsync(_ => b.States.Count(s => s.State == ConnectionState.Handshaking) == 4);
        Assert.False(other.IsClosed);
    }
}
