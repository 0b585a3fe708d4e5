using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// Message order does not matter: a partner's open and the chain ack that follows it reach the same end state in
/// either order. Taken first, the ack does not fit (the tally is not open yet); it is reported, kept, and taken
/// in once the open has been.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MessageOrderTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task Open_and_its_chain_ack_in_either_order_end_the_same(PeerMode mode, bool ackFirst)
    {
        var db = await BridgeSite.CreateDatabaseAsync(fixture.Server);
        await using var a = await BridgeSite.StartAsync(db, mode);
        await a.AddUserAsync("alice");

        // Bob is a bare node with his own signing key: no database, no bridge; the test speaks for him.
        using var bobKey = AgentKey.Generate("127.0.0.1", 0);
        await using var bob = new PeerNode(new PeerNodeOptions
        {
            LocalKey = bobKey, Mode = mode, BlockList = BlockListOptions.Disabled,
            ListenEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        }, new InMemoryKeyProvider([a.Key.ToRecord() with { Port = a.Port }]));
        await bob.StartAsync();
        using var bobSigning = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var bobCert = new JsonObject
        {
            ["chad"] = new JsonObject { ["cuid"] = "bob", ["agent"] = bobKey.Agent.ToString(), ["host"] = "127.0.0.1", ["port"] = bob.LocalEndPoint.Port },
            ["public"] = MyChipsSignature.PublicJwk(bobSigning),
        };
        await a.ExecuteAsync("insert into mychips.tallies (tally_ent, tally_seq, part_cert) values ($1, 1, $2::jsonb)", Alice, bobCert.ToJsonString());
        var uuid = (Guid)(await a.ScalarAsync("select tally_uuid from mychips.tallies"))!;
        var offered = a.AcceptedAsync(BridgeDirection.Local, "tally", "offer");
        await a.ExecuteAsync("update mychips.tallies set request = 'offer', hold_sig = $2 where tally_uuid = $1", uuid, await a.SignTallyAsync(Alice, uuid));
        var offer = JsonNode.Parse((await bob.ReadAllAsync().FirstAsync().AsTask().WaitAsync(BridgeSite.Patience)).JsonText)!.AsObject();
        Assert.Equal("offer", offer["action"]!.GetValue<string>());
        // Alice's bridge records the offer once its delivery is confirmed, which Bob's receipt can outrun; an answer
        // before that is parked and retried, as the ack-first case shows. Here only the order of open and ack varies.
        await offered.WaitAsync(BridgeSite.Patience);

        // Bob signs the tally and opens it; then (as alice's site would) acks block 0.
        var tally = offer["object"]!.AsObject();
        var content = (JsonObject)tally.DeepClone();
        content.Remove("sign");
        tally["sign"]!["foil"] = MyChipsSignature.Sign(bobSigning, content);
        var open = new JsonObject { ["target"] = "tally", ["action"] = "open", ["to"] = offer["from"]!.DeepClone(), ["from"] = offer["to"]!.DeepClone(), ["object"] = tally.DeepClone() };
        var ack = new JsonObject
        {
            ["target"] = "chit", ["action"] = "chain", ["to"] = offer["from"]!.DeepClone(), ["from"] = offer["to"]!.DeepClone(),
            ["object"] = new JsonObject { ["cmd"] = "ack", ["tally"] = uuid.ToString(), ["index"] = 0, ["hash"] = tally["sign"]!["hash"]!.DeepClone() },
        };
        var opened = a.AcceptedAsync(BridgeDirection.Remote, "tally", "open");
        var acked = a.AcceptedAsync(BridgeDirection.Remote, "chit", "chain");
        var toAlice = new PeerDestination(a.Agent, "127.0.0.1", a.Port);
        foreach (var message in ackFirst ? new[] { ack, open } : [open, ack])
            await bob.SendAsync(toAlice, Encoding.UTF8.GetBytes(message.ToJsonString())).WaitAsync(BridgeSite.Patience);
        await Task.WhenAll(opened, acked);

        Assert.Equal("open", await a.StateAsync(Alice, uuid));
        Assert.Equal(0, await a.ScalarAsync("select chain_conf from mychips.tallies"));
        Assert.Equal(0, a.Bridge.ParkedCount);
        var chainOutcomes = a.Outcomes.Where(o => o.Target == "chit" && o.Direction == BridgeDirection.Remote).ToList();
        Assert.True(chainOutcomes[^1].Accepted);
        Assert.Equal(ackFirst ? "the database refused it" : null, chainOutcomes[0].Problem);
    }
}
