using System.Net;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>While hostile peers flood a node, a legitimate peer still connects and every one of its messages arrives.</summary>
public class NothingLostUnderAttackTests
{
    private const int LegitimateMessages = 200;

    [Fact]
    public async Task Every_legitimate_message_arrives_during_a_flood_of_connections_handshakes_and_garbage()
    {
        using var refusals = new RefusalCounter();
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, o => o with
        {
            // Short enough to clear slowloris slots during the test, long enough for the legitimate
            // handshake (A, then the initiator's proof) on two cores shared with other test runs.
            HandshakeTimeout = TimeSpan.FromSeconds(3),
            BlockList = new BlockListOptions { FailuresToBlock = 20, Window = TimeSpan.FromMinutes(1), BlockFor = TimeSpan.FromMinutes(1) },
            Limits = o.Limits with { MaxConnectionsPerAddress = 8, MaxPendingHandshakesPerAddress = 4 },
        });
        TestSite.Introduce(a, b);

        using var stop = new CancellationTokenSource();
        var attacks = new[]
        {
            FloodAsync(b, IPAddress.Parse("127.0.0.2"), attempt => HostileFrames.Frame('N', HostileFrames.Garbage(93, attempt)), stop.Token),
            FloodAsync(b, IPAddress.Parse("127.0.0.3"), _ => HostileFrames.Header(0xFFFF_FFFF, 'N'), stop.Token),
            FloodAsync(b, IPAddress.Parse("127.0.0.4"), _ => HostileFrames.Header(60_000, 'N'), stop.Token), // then silence: slowloris
        };

        // A new connection for each batch, so the legitimate peer also handshakes during the flood.
        var received = new HashSet<string>();
        var reader = Task.Run(async () =>
        {
            while (received.Count < LegitimateMessages) received.Add((await b.ReceiveAsync()).JsonText);
        });
        for (var batch = 0; batch < 4; batch++)
        {
            var sends = Enumerable.Range(batch * 50, 50).Select(i => a.SendAsync(b, $$"""{"n":{{i}}}""")).ToArray();
            DeliveryReceipt[] receipts;
            try
            {
                receipts = await Task.WhenAll(sends).WaitAsync(TestSite.Deadline);
            }
            catch (DeliveryFailedException e)
            {
                // Say why B closed the legitimate peer's connections (the floods come from other addresses).
                var closes = b.States.Where(s => s.State == ConnectionState.Closed && s.RemoteAgent == a.Agent);
                var closed = a.States.Where(s => s.State == ConnectionState.Closed && s.RemoteAgent == b.Agent);
                throw new Xunit.Sdk.XunitException($"{e.Message} B closed A's connections: {string.Join(", ", closes.Select(c => $"{c.CloseReason} after {c.Elapsed}"))}; " +
                    $"A closed B's: {string.Join(", ", closed.Select(c => $"{c.CloseReason} after {c.Elapsed}"))}");
            }
            Assert.All(receipts, r => Assert.Equal(DeliveryMode.Confirmed, r.Mode));
            a.Node.Disconnect(b.Agent);
        }
        await reader.WaitAsync(TestSite.Deadline);
        await stop.CancelAsync();
        var attempts = await Task.WhenAll(attacks).WaitAsync(TestSite.Deadline);

        Assert.Equal(LegitimateMessages, received.Count);
        Assert.All(Enumerable.Range(0, LegitimateMessages), i => Assert.Contains($$"""{"n":{{i}}}""", received));
        Assert.False(b.HasMessage);
        Assert.All(attempts, n => Assert.True(n > 0));
        Assert.True(refusals.Closed(CloseReason.BadMac) > 0);
        Assert.True(refusals.Closed(CloseReason.OversizedFrame) > 0);
    }

    /// <summary>Opens connections from one address and sends each its opening bytes until stopped; returns how many it opened.</summary>
    private static async Task<int> FloodAsync(TestSite target, IPAddress from, Func<int, byte[]> opening, CancellationToken stop)
    {
        var open = new List<HostilePeer>();
        var attempts = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                HostilePeer peer;
                try
                {
                    peer = await HostilePeer.ConnectAsync(EndPoint(target), from, cancellationToken: stop);
                }
                catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    continue;
                }
                attempts++;
                open.Add(peer);
                await peer.SendAsync(opening(attempts));
                // Keep at most a few dozen sockets of our own; closed ones are dropped.
                if (open.Count > 32)
                {
                    await Task.WhenAny(open.Select(p => p.Closed)).WaitAsync(stop).ConfigureAwait(false);
                    foreach (var done in open.Where(p => p.IsClosed).ToList())
                    {
                        done.Dispose();
                        open.Remove(done);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var peer in open) peer.Dispose();
        return attempts;
    }
}
