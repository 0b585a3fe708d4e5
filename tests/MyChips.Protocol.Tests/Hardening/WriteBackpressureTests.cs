using System.Text;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>A peer that never reads what the node sends: its socket fills, the write stalls, the connection closes and every send is accounted for.</summary>
public class WriteBackpressureTests
{
    [Fact]
    public async Task A_peer_that_stops_reading_is_closed_after_the_write_stall_timeout_and_no_send_hangs()
    {
        using var refusals = new RefusalCounter();
        await using var b = await TestSite.StartAsync(PeerMode.Raw,
            o => o with { Limits = o.Limits with { WriteStallTimeout = TimeSpan.FromMilliseconds(200) } });
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile, read: false);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent, offerReceipts: true));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        // 32 MiB towards a peer that reads nothing: far more than loopback socket buffers hold.
        var big = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 512 * 1024) + "\"}");
        var destination = new PeerDestination(agent.Agent, "127.0.0.1", 1);
        var sends = Enumerable.Range(0, 64).Select(_ => b.Node.SendAsync(destination, big)).ToArray();

        var closed = await b.WaitForCloseAsync();
        Assert.Equal(CloseReason.WriteStalled, closed.CloseReason);
        Assert.True(refusals.Closed(CloseReason.WriteStalled) >= 1);
        // Every send ends: none was confirmed (the peer sent no receipt), all fail with a reason.
        foreach (var send in sends)
        {
            var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => send.WaitAsync(TestSite.Deadline));
            Assert.Contains(failure.Reason, new[] { DeliveryFailure.ConnectionLost, DeliveryFailure.ConnectFailed });
        }
    }
}
