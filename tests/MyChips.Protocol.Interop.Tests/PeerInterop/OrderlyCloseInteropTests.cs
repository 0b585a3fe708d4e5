using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Interop.Tests.PeerInterop;

/// <summary>
/// The JavaScript peer after the C# node closes an idle connection: it sees an orderly end (not ECONNRESET, which
/// the deployed peer either dies of or mistakes for an open connection), reconnects for its next message, and
/// every message arrives.
/// </summary>
public sealed class OrderlyCloseInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(PeerMode.MyChipsJs, "encrypted")]
    [InlineData(PeerMode.Raw, "raw")]
    public async Task After_an_idle_close_the_JavaScript_peer_reconnects_and_every_message_arrives(PeerMode mode, string jsMode)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var key = AgentKey.Generate("127.0.0.1", 0);
        var keys = new InMemoryKeyProvider();
        await using var node = new Peers.PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, Delivery = DeliveryMode.Written }, keys, timeProvider: time);
        var opened = 0;
        var open = new SemaphoreSlim(0);
        node.ConnectionStateChanged += (_, s) =>
        {
            if (s.State != ConnectionState.Open) return;
            Interlocked.Increment(ref opened);
            open.Release();
        };
        await node.StartAsync();
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions
        {
            Mode = jsMode, ConnectHost = "127.0.0.1", ConnectPort = node.LocalEndPoint.Port, Peer = node.Agent.ToString(),
        });
        keys.Add(AgentRecord.FromId(AgentId.Parse(js.Agent), "127.0.0.1", 1));

        await js.SendAsync(new JsonObject { ["n"] = 1 });
        Assert.Contains("\"n\":1", (await ReceiveAsync(node)).JsonText, StringComparison.Ordinal);
        Assert.True(await open.WaitAsync(Deadline));

        time.Advance(TimeSpan.FromSeconds(61));
        var closed = await js.WaitForEventAsync("closed");
        Assert.Equal("remote closed", closed.GetProperty("reason").GetString());

        // The next message opens a new connection; the ones after it use that connection.
        var mark = js.EventCount;
        await js.SendAsync(new JsonObject { ["n"] = 2 });
        Assert.Contains("\"n\":2", (await ReceiveAsync(node)).JsonText, StringComparison.Ordinal);
        Assert.True(await open.WaitAsync(Deadline));
        await js.WaitForEventAsync("open", fromIndex: mark);
        for (var n = 3; n <= 5; n++) await js.SendAsync(new JsonObject { ["n"] = n });
        for (var n = 3; n <= 5; n++) Assert.Equal($$"""{"n":{{n}}}""", (await ReceiveAsync(node)).JsonText);
        Assert.Equal(2, opened);
        Assert.Empty(js.EventsNamed("dropped"));
        Assert.DoesNotContain(js.Events, e => e.ToString().Contains("ECONNRESET", StringComparison.Ordinal));
    }

    private static async Task<PeerMessage> ReceiveAsync(Peers.PeerNode node)
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await node.Messages.ReadAsync(cts.Token);
    }
}
