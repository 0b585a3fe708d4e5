using System.Text.Json;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Channels: simultaneous connects, state changes, and delivery accounting when connections are cut.</summary>
public class PeerNodeChannelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Simultaneous_connects_from_both_sides_deliver_everything()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);

        var fromA = Enumerable.Range(0, 20).Select(i => a.SendAsync(b, $$"""{"a":{{i}}}"""));
        var fromB = Enumerable.Range(0, 20).Select(i => b.SendAsync(a, $$"""{"b":{{i}}}"""));
        await Task.WhenAll(fromA.Concat(fromB)).WaitAsync(TestSite.Deadline);

        var atB = new List<string>();
        var atA = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            atB.Add((await b.ReceiveAsync()).JsonText);
            atA.Add((await a.ReceiveAsync()).JsonText);
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $$"""{"a":{{i}}}""").Order(), atB.Order());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $$"""{"b":{{i}}}""").Order(), atA.Order());
        // Either one connection served both or each side opened its own: both kinds are usable.
        Assert.InRange(a.Node.OpenConnectionCount(b.Agent), 1, 2);
    }

    [Fact]
    public async Task State_changes_are_reported_from_connecting_to_closed()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);
        await a.SendAsync(b, """{"x":1}""").WaitAsync(TestSite.Deadline);
        await b.ReceiveAsync();

        a.Node.Disconnect(b.Agent);
        var closed = await a.WaitForCloseAsync(ConnectionDirection.Outbound);
        Assert.Equal(CloseReason.LocalClosed, closed.CloseReason);
        Assert.Equal(
            new[] { ConnectionState.Connecting, ConnectionState.Handshaking, ConnectionState.Open, ConnectionState.Closed },
            a.States.Where(s => s.ConnectionId == closed.ConnectionId).Select(s => s.State));
        Assert.All(a.States, s => Assert.Equal(b.Agent, s.RemoteAgent));
        var remoteClose = await b.WaitForCloseAsync();
        Assert.Equal(CloseReason.RemoteClosed, remoteClose.CloseReason);
    }

    [Fact]
    public async Task A_send_right_after_a_close_opens_a_new_connection()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);
        for (var i = 0; i < 40; i++)
        {
            var closes = a.States.Count(s => s.State == ConnectionState.Closed);
            await a.SendAsync(b, $$"""{"round":{{i}}}""").WaitAsync(TestSite.Deadline);
            Assert.Equal($$"""{"round":{{i}}}""", (await b.ReceiveAsync()).JsonText);
            a.Node.Disconnect(b.Agent);
            await a.WaitForStateAsync(_ => a.States.Count(s => s.State == ConnectionState.Closed) > closes);
        }
        Assert.Equal(40, a.States.Count(s => s.State == ConnectionState.Connecting));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task With_connections_cut_at_random_every_message_is_receipted_once_or_reported_failed(int seed)
    {
        const int total = 300;
        var random = new Random(seed);
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        var a = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);

        var sends = new Task<DeliveryReceipt>[total];
        const int batch = 30;
        for (var start = 0; start < total; start += batch)
        {
            for (var i = start; i < start + batch; i++) sends[i] = a.SendAsync(b, $$"""{"id":{{i}}}""");
            // Let part of the batch through, then cut from either side while the rest is in flight.
            var settled = random.Next(batch);
            await Task.WhenAll(sends.Skip(start).Take(settled).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TestSite.Deadline);
            if (random.Next(2) == 0) a.Node.Disconnect(b.Agent);
            else b.Node.Disconnect(a.Agent);
        }
        var outcomes = await Task.WhenAll(sends.Select(async (send, id) =>
        {
            try
            {
                return (Id: id, Receipt: (DeliveryReceipt?)await send.WaitAsync(TestSite.Deadline), Failure: (DeliveryFailure?)null);
            }
            catch (DeliveryFailedException e)
            {
                return (Id: id, Receipt: null, Failure: e.Reason);
            }
        }));

        // Close A so that nothing is left in flight, then take everything B received.
        await a.DisposeAsync();
        await b.WaitForStateAsync(_ => b.Node.ConnectionCount == 0);
        var received = new List<int>();
        while (b.Node.Messages.TryRead(out var message))
        {
            using var document = JsonDocument.Parse(message.Json);
            received.Add(document.RootElement.GetProperty("id").GetInt32());
        }

        var receipted = outcomes.Where(o => o.Receipt is not null).Select(o => o.Id).ToHashSet();
        var failed = outcomes.Where(o => o.Failure is not null).ToList();
        output.WriteLine($"receipted {receipted.Count}, failed {failed.Count} (of which delivered before the cut {failed.Count(f => received.Contains(f.Id))}), received {received.Count}");
        Assert.Equal(total, receipted.Count + failed.Count);
        Assert.Equal(received.Count, received.Distinct().Count());          // nothing delivered twice
        Assert.Subset(received.ToHashSet(), receipted);                      // every receipted message arrived
        Assert.All(received, id => Assert.InRange(id, 0, total - 1));
        // A message that arrived without a receipt was in flight when its connection was cut: reported as ConnectionLost.
        Assert.All(failed.Where(f => received.Contains(f.Id)), f => Assert.Equal(DeliveryFailure.ConnectionLost, f.Failure));
        Assert.All(failed, f => Assert.Contains(f.Failure, new DeliveryFailure?[] { DeliveryFailure.ConnectionLost, DeliveryFailure.HandshakeFailed }));
    }
}
