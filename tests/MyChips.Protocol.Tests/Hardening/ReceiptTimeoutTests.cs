using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>A peer that withholds receipts cannot make the node hold its Confirmed messages without end.</summary>
public class ReceiptTimeoutTests
{
    private static readonly TimeSpan ReceiptTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Messages_left_without_a_receipt_fail_when_the_receipt_timeout_closes_the_connection()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, o => o with { Limits = o.Limits with { ReceiptTimeout = ReceiptTimeout } }, time);
        var agent = TrustedAgent(b);
        using var peer = await HostilePeer.ConnectAsync(EndPoint(b), Hostile);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent, offerReceipts: true));
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);
        var destination = new PeerDestination(agent.Agent, "127.0.0.1", 1);

        // A receipt within the timeout completes the first message and restarts the wait.
        var first = b.Node.SendAsync(destination, """{"n":1}"""u8.ToArray());
        await ReadTransportAsync(peer);
        time.Advance(ReceiptTimeout - TimeSpan.FromSeconds(1));
        await peer.SendFrameAsync('R', Count(1));
        Assert.Equal(1, (await first.WaitAsync(TestSite.Deadline)).Sequence);

        // The second gets no receipt: just before the deadline the connection is still open, then it closes.
        var second = b.Node.SendAsync(destination, """{"n":2}"""u8.ToArray());
        await ReadTransportAsync(peer);
        time.Advance(ReceiptTimeout - TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted);
        Assert.Equal(1, b.Node.OpenConnectionCount(agent.Agent));
        time.Advance(TimeSpan.FromSeconds(1));

        var closed = await b.WaitForCloseAsync();
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => second.WaitAsync(TestSite.Deadline));
        Assert.Equal(CloseReason.ReceiptTimeout, closed.CloseReason);
        Assert.Equal(DeliveryFailure.ConnectionLost, failure.Reason);
        Assert.Contains("receipt_timeout", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_receipt_timeout_must_be_positive_or_infinite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeerLimits { ReceiptTimeout = TimeSpan.Zero }.Validate());
        new PeerLimits { ReceiptTimeout = Timeout.InfiniteTimeSpan }.Validate();
    }

    private static async Task ReadTransportAsync(HostilePeer peer)
    {
        // Skip the node's own receipts for what the peer sent.
        while ((await peer.ReadFrameAsync(TestSite.Deadline)).Type != 'T')
        {
        }
    }

    private static byte[] Count(long count)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(body, count);
        return body;
    }
}
