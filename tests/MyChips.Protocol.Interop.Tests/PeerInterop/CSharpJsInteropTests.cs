using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.PeerInterop;

/// <summary>
/// The C# <see cref="Peers.PeerNode"/> against the JavaScript MyCHIPs peer (tests/interop-node/peer.js), in the
/// compatible encrypted mode and in raw mode, each side checking what it received.
/// </summary>
public sealed class CSharpJsInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<PeerMode> Modes => new() { PeerMode.MyChipsJs, PeerMode.Raw };

    private static string JsMode(PeerMode mode) => mode == PeerMode.Raw ? "raw" : "encrypted";

    private static async Task<(Peers.PeerNode Node, AgentKey Key, InMemoryKeyProvider Keys)> StartNodeAsync(PeerMode mode)
    {
        var key = AgentKey.Generate("127.0.0.1", 0);
        var keys = new InMemoryKeyProvider();
        // The JavaScript peer sends no receipts: delivered means written.
        var node = new Peers.PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, Delivery = DeliveryMode.Written }, keys);
        await node.StartAsync();
        return (node, key, keys);
    }

    private static async Task<PeerMessage> ReceiveAsync(Peers.PeerNode node)
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await node.Messages.ReadAsync(cts.Token);
    }

    private static string Packet(JsonElement received) => received.GetProperty("packet").GetString()!;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CSharp_initiator_to_JavaScript_responder_with_N_and_KK(PeerMode mode)
    {
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Echo = true, Mode = JsMode(mode) });
        var (node, key, _) = await StartNodeAsync(mode);
        await using var _node = node;
        using var _key = key;
        var destination = new PeerDestination(AgentId.Parse(js.Agent), "127.0.0.1", js.Port!.Value);

        await node.SendAsync(destination, """{"target":"tally","action":"hello","n":1}"""u8.ToArray()).WaitAsync(Deadline);
        var first = await js.WaitForEventAsync("received", e => Packet(e) == "K");
        Assert.Equal(node.Agent.ToString(), first.GetProperty("from").GetString());
        Assert.Equal("hello", first.GetProperty("message").GetProperty("action").GetString());

        var echo = await ReceiveAsync(node);
        Assert.Equal(AgentId.Parse(js.Agent), echo.From);
        using (var document = echo.ToDocument())
            Assert.Equal(1, document.RootElement.GetProperty("echo").GetProperty("n").GetInt32());

        // A T from C#, and a T the JavaScript peer sends on its own on the same connection.
        await node.SendAsync(destination, """{"n":2}"""u8.ToArray()).WaitAsync(Deadline);
        var second = await js.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal(2, second.GetProperty("message").GetProperty("n").GetInt32());
        Assert.Contains("\"n\":2", (await ReceiveAsync(node)).JsonText, StringComparison.Ordinal);
        await js.SendAsync(new JsonObject { ["from_js"] = true }, to: node.Agent.ToString());
        var fromJs = await ReceiveAsync(node);
        Assert.Equal("""{"from_js":true}""", fromJs.JsonText);
        Assert.Single(js.EventsNamed("connected"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CSharp_initiator_to_JavaScript_responder_with_an_IK_ticket(PeerMode mode)
    {
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Echo = true, Mode = JsMode(mode), Tokens = ["js-token-1"] });
        var (node, key, _) = await StartNodeAsync(mode);
        await using var _node = node;
        using var _key = key;
        var jsAgent = AgentId.Parse(js.Agent);
        var ticket = new ConnectionTicket("js-token-1", DateTimeOffset.UtcNow.AddHours(1), new ChipAddress("js_user", jsAgent, "127.0.0.1", js.Port!.Value));

        await node.SendAsync(PeerDestination.From(ticket.Chad), """{"target":"tally","action":"ticket"}"""u8.ToArray(), ticket).WaitAsync(Deadline);
        var first = await js.WaitForEventAsync("received", e => Packet(e) == "I");
        Assert.Equal("js-token-1", first.GetProperty("message").GetProperty("ticket").GetProperty("token").GetString());
        if (mode != PeerMode.Raw)
        {
            var open = await js.WaitForEventAsync("open");
            Assert.Equal("IK", open.GetProperty("handshake").GetString());
            Assert.True(open.GetProperty("keyMatch").GetBoolean());
        }

        var echo = await ReceiveAsync(node);
        Assert.Equal(jsAgent, echo.From);
        Assert.Contains("js-token-1", echo.JsonText, StringComparison.Ordinal);
        await node.SendAsync(PeerDestination.From(ticket.Chad), """{"after":"ticket"}"""u8.ToArray()).WaitAsync(Deadline);
        var second = await js.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal("ticket", second.GetProperty("message").GetProperty("after").GetString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task JavaScript_initiator_to_CSharp_responder_with_N_and_KK(PeerMode mode)
    {
        var (node, key, keys) = await StartNodeAsync(mode);
        await using var _node = node;
        using var _key = key;
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions
        {
            Mode = JsMode(mode), ConnectHost = "127.0.0.1", ConnectPort = node.LocalEndPoint.Port, Peer = node.Agent.ToString(),
        });
        var jsAgent = AgentId.Parse(js.Agent);
        keys.Add(AgentRecord.FromId(jsAgent, "127.0.0.1", 1));

        await js.SendAsync(new JsonObject { ["target"] = "tally", ["action"] = "hello" });
        var first = await ReceiveAsync(node);
        Assert.Equal(jsAgent, first.From);
        using (var document = first.ToDocument())
            Assert.Equal("hello", document.RootElement.GetProperty("action").GetString());

        // The reply reuses the connection the JavaScript peer opened.
        await node.SendAsync(new PeerDestination(jsAgent, "127.0.0.1", 1), """{"reply":"from C#"}"""u8.ToArray()).WaitAsync(Deadline);
        var reply = await js.WaitForEventAsync("received", e => Packet(e) == "T");
        Assert.Equal("from C#", reply.GetProperty("message").GetProperty("reply").GetString());

        await js.SendAsync(new JsonObject { ["n"] = 2 });
        var second = await ReceiveAsync(node);
        Assert.Equal("""{"n":2}""", second.JsonText);
        if (mode != PeerMode.Raw)
            Assert.Equal(94, js.EventsNamed("frame").First(f => f.GetProperty("type").GetString() == "N").GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task A_JavaScript_initiator_the_CSharp_responder_does_not_know_is_closed_silently()
    {
        var (node, key, _) = await StartNodeAsync(PeerMode.MyChipsJs);
        await using var _node = node;
        using var _key = key;
        var closed = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.ConnectionStateChanged += (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(s); };
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions
        {
            Mode = "encrypted", ConnectHost = "127.0.0.1", ConnectPort = node.LocalEndPoint.Port, Peer = node.Agent.ToString(),
        });

        await js.SendAsync(new JsonObject { ["target"] = "tally" });
        var change = await closed.Task.WaitAsync(Deadline);
        Assert.Equal(CloseReason.UnknownAgent, change.CloseReason);
        await js.WaitForEventAsync("closed");
        Assert.False(node.Messages.TryPeek(out _));
        Assert.DoesNotContain(js.EventsNamed("frame"), f => f.GetProperty("dir").GetString() == "in");
    }
}
