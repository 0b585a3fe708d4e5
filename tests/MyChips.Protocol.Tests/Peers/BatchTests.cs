using System.Collections.Concurrent;
using System.Text;
using MyChips.Protocol.Framing;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing.Hostile;
using MyChips.Protocol.Tests.Wire;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// B packets: negotiated in C and A like receipts, a write batch sealed as one transport message, each message in
/// it delivered and counted on its own; never sent to a peer that did not accept them, refused from one that sends
/// them unasked.
/// </summary>
public class BatchTests
{
    private const int Burst = 300;

    private static byte[] Json(int n) => Encoding.UTF8.GetBytes($$"""{"n":{{n}}}""");

    [Fact]
    public async Task Two_strict_nodes_seal_bursts_as_batches_and_every_message_arrives_once_in_order_and_is_confirmed()
    {
        var sent = new ConcurrentQueue<PacketType>();
        await using var a = await TestSite.StartAsync(PeerMode.Strict, o => o with { PacketObserver = t => { if (t.Outgoing) sent.Enqueue(t.Type); } });
        await using var b = await TestSite.StartAsync(PeerMode.Strict);
        TestSite.Introduce(a, b);
        await a.Node.SendAsync(b.Destination, Json(0)).WaitAsync(TestSite.Deadline);
        Assert.Equal(0, JsonN(await b.ReceiveAsync()));

        var sends = Enumerable.Range(1, Burst).Select(n => a.Node.SendAsync(b.Destination, Json(n))).ToArray();

        for (var n = 1; n <= Burst; n++)
            Assert.Equal(n, JsonN(await b.ReceiveAsync()));
        var receipts = await Task.WhenAll(sends).WaitAsync(TestSite.Deadline);
        Assert.All(receipts, r => Assert.Equal(DeliveryMode.Confirmed, r.Mode));
        Assert.Contains(PacketType.Batch, sent);
    }

    [Fact]
    public async Task A_node_writes_batches_only_to_a_peer_that_accepted_them()
    {
        foreach (var accepted in new[] { new byte[] { 2 }, new byte[] { 1 }, [] })
        {
            await using var a = await TestSite.StartAsync(PeerMode.Raw, o => o with { Delivery = DeliveryMode.Written });
            using var responder = new RawResponder();
            var destination = new PeerDestination(AgentKey.Generate("127.0.0.1", 1).Agent, "127.0.0.1", responder.Port);
            var first = a.Node.SendAsync(destination, Json(0));
            using var peer = await responder.AcceptAndOpenAsync(accepted);
            await first.WaitAsync(TestSite.Deadline);

            var sends = Enumerable.Range(1, Burst).Select(n => a.Node.SendAsync(destination, Json(n))).ToArray();

            var (messages, types) = (new List<int>(), new HashSet<char>());
            while (messages.Count < Burst)
            {
                var (type, body) = await peer.ReadFrameAsync();
                types.Add(type);
                if (type == 'T') messages.Add(JsonN(body));
                else if (type == 'B') messages.AddRange(Split(body).Select(JsonN));
            }
            await Task.WhenAll(sends).WaitAsync(TestSite.Deadline);
            Assert.Equal(Enumerable.Range(1, Burst), messages);
            Assert.Equal(accepted.Length > 0 && (accepted[0] & 2) != 0, types.Contains('B'));
        }
    }

    [Fact]
    public async Task A_received_batch_delivers_each_message_in_order()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var peer = await OpenWithOfferAsync(b, offer: 2);

        await peer.SendFrameAsync('B', WirePackets.Batch(Json(1), Json(2), Json(3)));

        for (var n = 1; n <= 3; n++)
            Assert.Equal(n, JsonN(await b.ReceiveAsync()));
    }

    [Fact]
    public async Task A_batch_that_was_not_negotiated_is_refused()
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var peer = await OpenWithOfferAsync(b, offer: 1);

        await peer.SendFrameAsync('B', WirePackets.Batch(Json(1), Json(2)));

        Assert.Equal(CloseReason.PacketNotAllowed, (await b.WaitForCloseAsync()).CloseReason);
        Assert.False(b.HasMessage);
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "one message only", WirePackets.Batch(Json(1)) },
        { "a length past the end", [0, 0, 0, 9, (byte)'{', (byte)'}'] },
        { "an empty entry", [.. WirePackets.Batch(Json(1), Json(2)), 0, 0, 0, 0] },
        { "a cut length", [.. WirePackets.Batch(Json(1), Json(2)), 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_batch_closes_the_connection_and_delivers_none_of_it(string what, byte[] plaintext)
    {
        await using var b = await TestSite.StartAsync(PeerMode.Raw);
        using var peer = await OpenWithOfferAsync(b, offer: 2);

        await peer.SendFrameAsync('B', plaintext);

        Assert.True(CloseReason.MalformedPacket == (await b.WaitForCloseAsync()).CloseReason, what);
        Assert.False(b.HasMessage);
    }

    /// <summary>A raw-mode peer that offers these extensions in C; the node's first message (in K) is taken off its queue.</summary>
    private static async Task<TcpEnd> OpenWithOfferAsync(TestSite site, byte offer)
    {
        var agent = TrustedAgent(site);
        var peer = await TcpEnd.ConnectAsync(site.Port);
        await peer.SendAsync([.. HostileFrames.Frame('N', AgentIdCodec.ToBytes(agent.Agent.ToString())), .. HostileFrames.Frame('C', [offer]), .. HostileFrames.Frame('K', Json(0))]);
        var (type, accepted) = await peer.ReadFrameAsync();
        Assert.Equal(('A', offer), (type, accepted.Single()));
        Assert.Equal(0, JsonN(await site.ReceiveAsync()));
        return peer;
    }

    private static List<byte[]> Split(byte[] plaintext)
    {
        Assert.True(LengthPrefixedEntries.TrySplit(plaintext, minimum: 2, out var messages));
        return messages;
    }

    private static int JsonN(PeerMessage message) => JsonN(message.Json.ToArray());

    private static int JsonN(byte[] json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("n").GetInt32();
}
