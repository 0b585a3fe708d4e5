using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.PeerInterop;

/// <summary>
/// The C# node against a peer that knows nothing of receipts or offers (the interoperability peer, which skips
/// unknown packet types as the deployed peer does), in every cell of direction × profile × handshake × traffic:
/// every message is delivered exactly once, every send ends delivered (reported as written, the only thing such
/// a peer lets the node confirm), nothing is reported failed, and no connection is closed for want of a receipt.
/// </summary>
public sealed class DeliveryMatrixTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The C# mode and the interoperability peer's profile that speak the same wire.</summary>
    public static (PeerMode Node, string Js) Profile(string name) => name switch
    {
        "strict" => (PeerMode.Strict, "strict"),      // the Noise specification's key order
        "compatible" => (PeerMode.MyChipsJs, "encrypted"), // npm noise-protocol's key order, as deployed
        _ => (PeerMode.Raw, "raw"),
    };

    /// <summary>Every cell: profile × handshake × traffic (one message, or twenty with their replies).</summary>
    public static TheoryData<string, string, int> Cells()
    {
        var cells = new TheoryData<string, string, int>();
        foreach (var profile in new[] { "strict", "compatible", "raw" })
        foreach (var handshake in new[] { "N+KK", "IK" })
        foreach (var count in new[] { 1, 20 })
            cells.Add(profile, handshake, count);
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task CSharp_to_JavaScript(string profile, string handshake, int count)
    {
        var (mode, jsMode) = Profile(profile);
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions
        {
            Listen = 0, Echo = true, Quiet = false, Mode = jsMode, Tokens = handshake == "IK" ? ["matrix-token"] : [],
        });
        using var key = AgentKey.Generate("127.0.0.1", 0);
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode }, new InMemoryKeyProvider());
        var closes = RecordCloses(node);
        await node.StartAsync();
        var jsAgent = AgentId.Parse(js.Agent);
        var destination = new PeerDestination(jsAgent, "127.0.0.1", js.Port!.Value);
        var ticket = handshake == "IK"
            ? new ConnectionTicket("matrix-token", DateTimeOffset.UtcNow.AddHours(1), new ChipAddress("js_user", jsAgent, "127.0.0.1", js.Port.Value))
            : null;

        var sends = Enumerable.Range(1, count)
            .Select(n => node.SendAsync(destination, System.Text.Encoding.UTF8.GetBytes($$"""{"n":{{n}}}"""), n == 1 ? ticket : null))
            .ToArray();
        var receipts = await Task.WhenAll(sends).WaitAsync(Deadline);
        Assert.All(receipts, r => Assert.Equal(DeliveryMode.Written, r.Mode));

        await WaitForReceivedEventsAsync(js, count);
        var echoes = new List<int>();
        for (var i = 0; i < count; i++)
        {
            using var document = (await ReceiveAsync(node)).ToDocument();
            echoes.Add(document.RootElement.GetProperty("echo").GetProperty("n").GetInt32());
        }
        Assert.Equal(Enumerable.Range(1, count), echoes.Order());
        var (received, _, dropped) = await js.StatsAsync();
        Assert.Equal((count, 0L), (received, dropped));
        Assert.Equal(handshake == "IK" ? "I" : "K", js.EventsNamed("received")[0].GetProperty("packet").GetString());
        Assert.Empty(closes);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task JavaScript_to_CSharp(string profile, string handshake, int count)
    {
        var (mode, jsMode) = Profile(profile);
        using var key = AgentKey.Generate("127.0.0.1", 0);
        var keys = new InMemoryKeyProvider();
        var tickets = new InMemoryTicketStore();
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode }, keys, tickets);
        var closes = RecordCloses(node);
        await node.StartAsync();
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions
        {
            Mode = jsMode, ConnectHost = "127.0.0.1", ConnectPort = node.LocalEndPoint.Port, Peer = node.Agent.ToString(),
        });
        var jsAgent = AgentId.Parse(js.Agent);
        keys.Add(AgentRecord.FromId(jsAgent, "127.0.0.1", 1));
        using var echoing = new CancellationTokenSource();
        var replies = EchoAsync(node, echoing.Token);

        // The first message opens the connection; the peer queues nothing meanwhile, so the rest wait for it to open.
        JsonObject? ticket = null;
        if (handshake == "IK")
        {
            var issued = await tickets.IssueAsync(new TicketRequest(key.AddressOf("node_user"), TimeSpan.FromHours(1)));
            ticket = new JsonObject { ["token"] = issued.Token, ["expires"] = issued.Expires.ToString("O"), ["chad"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new { cuid = "node_user", agent = node.Agent.ToString(), host = "127.0.0.1", port = node.LocalEndPoint.Port })) };
        }
        await js.SendAsync(new JsonObject { ["n"] = 1 }, ticket: ticket);
        await js.WaitForEventAsync("open");
        for (var n = 2; n <= count; n++) await js.SendAsync(new JsonObject { ["n"] = n });

        await WaitForReceivedEventsAsync(js, count);
        var echoed = js.EventsNamed("received").Select(e => e.GetProperty("message").GetProperty("echo").GetProperty("n").GetInt32()).Order();
        Assert.Equal(Enumerable.Range(1, count), echoed);
        await echoing.CancelAsync();
        var delivered = await replies;
        Assert.Equal(Enumerable.Range(1, count), delivered.Order());
        var (_, _, dropped) = await js.StatsAsync();
        Assert.Equal(0L, dropped);
        Assert.Equal(handshake == "IK" ? "IK" : "KK", js.EventsNamed("open")[0].GetProperty("handshake").GetString());
        Assert.Empty(closes);
    }

    /// <summary>
    /// Until the peer has reported <paramref name="count"/> received messages as events (its count of them can run
    /// ahead of the events, which follow).
    /// </summary>
    private static Task WaitForReceivedEventsAsync(JsPeerProcess js, int count)
    {
        var seen = 0;
        return js.WaitForAsync(e => JsPeerProcess.IsEvent(e, "received") && ++seen >= count, Deadline, $"{count} 'received'");
    }

    /// <summary>Answers every message with {"echo":message} until canceled; returns the n of each message, in order of arrival.</summary>
    private static async Task<List<int>> EchoAsync(PeerNode node, CancellationToken cancellationToken)
    {
        var seen = new List<int>();
        try
        {
            await foreach (var message in node.ReadAllAsync(cancellationToken))
            {
                using var document = message.ToDocument();
                seen.Add(document.RootElement.GetProperty("n").GetInt32());
                var echo = new JsonObject { ["echo"] = JsonNode.Parse(message.JsonText) };
                var receipt = await node.ReplyAsync(message, System.Text.Encoding.UTF8.GetBytes(echo.ToJsonString()));
                Assert.Equal(DeliveryMode.Written, receipt.Mode);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return seen;
    }

    /// <summary>Every connection this node closed on its own account while the test ran (a peer's own close is not one).</summary>
    private static List<CloseReason> RecordCloses(PeerNode node)
    {
        var closes = new List<CloseReason>();
        node.ConnectionStateChanged += (_, s) =>
        {
            if (s.State == ConnectionState.Closed && s.CloseReason is not (CloseReason.RemoteClosed or CloseReason.LocalClosed))
                lock (closes) closes.Add(s.CloseReason);
        };
        return closes;
    }

    private static async Task<PeerMessage> ReceiveAsync(PeerNode node)
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await node.Messages.ReadAsync(cts.Token);
    }
}
