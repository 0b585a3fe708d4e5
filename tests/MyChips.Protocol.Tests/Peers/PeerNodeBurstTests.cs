using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// Sends issued back to back on an open connection: the write loop batches them and one receipt covers
/// many, yet each message keeps its own place, its own receipt and its order.
/// </summary>
public class PeerNodeBurstTests
{
    private const int Burst = 3_000;

    public static TheoryData<PeerMode, DeliveryMode> Cases => new()
    {
        { PeerMode.Strict, DeliveryMode.Confirmed },
        { PeerMode.Raw, DeliveryMode.Confirmed },
        { PeerMode.Strict, DeliveryMode.Written },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_burst_is_delivered_in_order_and_each_send_gets_its_own_receipt(PeerMode mode, DeliveryMode delivery)
    {
        await using var a = await TestSite.StartAsync(mode, o => o with { Delivery = delivery });
        await using var b = await TestSite.StartAsync(mode, o => o with { Delivery = delivery });
        TestSite.Introduce(a, b);
        var first = await a.SendAsync(b, """{"n":0}""").WaitAsync(TestSite.Deadline);
        Assert.Equal(a.AsFirstMessage("""{"n":0}"""), (await b.ReceiveAsync()).JsonText);

        var sends = new Task<DeliveryReceipt>[Burst];
        for (var i = 0; i < Burst; i++) sends[i] = a.SendAsync(b, $$"""{"n":{{i + 1}}}""");
        for (var i = 0; i < Burst; i++)
            Assert.Equal($$"""{"n":{{i + 1}}}""", (await b.ReceiveAsync()).JsonText);
        var receipts = await Task.WhenAll(sends).WaitAsync(TestSite.Deadline);

        for (var i = 0; i < Burst; i++)
        {
            // The first message was number 1 on this connection; the burst follows it.
            Assert.Equal(first.Sequence + 1 + i, receipts[i].Sequence);
            Assert.Equal(first.ConnectionId, receipts[i].ConnectionId);
            Assert.Equal(delivery, receipts[i].Mode);
        }
        Assert.False(b.HasMessage);
    }
}
