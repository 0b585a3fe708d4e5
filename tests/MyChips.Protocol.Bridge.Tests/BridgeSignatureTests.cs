using System.Text;
using System.Text.Json.Nodes;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>The bridge checks tally and chit signatures on the way out and in, unless told not to (a test switch).</summary>
[Collection(PostgresCollection.Name)]
public sealed class BridgeSignatureTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_offer_with_a_bad_signature_is_held_back_unless_checks_are_off(bool check)
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, PeerMode.Strict, oneDatabase: false,
            BridgeSite.Quiet with { CheckSignatures = check });
        var (a, b) = (sites.A, sites.B);
        var bobCert = await b.ScalarTextAsync("select mychips.user_cert('pbob')::text");
        await a.ExecuteAsync("insert into mychips.tallies (tally_ent, tally_seq, part_cert) values ($1, 1, $2::jsonb)", Alice, bobCert!);
        var uuid = (Guid)(await a.ScalarAsync("select tally_uuid from mychips.tallies"))!;
        var forged = a.Sign(Alice, JsonNode.Parse("""{"not":"the tally"}""")!);

        var outcome = a.NextAsync(o => o.Direction == BridgeDirection.Local && o.Action == "offer");
        await a.ExecuteAsync("update mychips.tallies set request = 'offer', hold_sig = $2 where tally_uuid = $1", uuid, forged);
        if (check)
        {
            Assert.Equal("invalid stock signature", (await outcome).Problem);
            Assert.Equal("P.draft", await a.StateAsync(Alice, uuid));
            Assert.Equal(0L, await b.ScalarAsync("select count(*) from mychips.tallies"));
        }
        else
        {
            var taken = b.AcceptedAsync(BridgeDirection.Remote, "tally", "offer");
            Assert.True((await outcome).Accepted, (await outcome).Problem);
            await taken;
            Assert.Equal("P.offer", await b.StateAsync(Bob, uuid));
        }
    }

    [Fact]
    public async Task A_payment_not_signed_by_the_partner_is_dropped_and_a_signed_one_taken()
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, PeerMode.Strict, oneDatabase: false);
        var (a, b) = (sites.A, sites.B);
        var tally = await sites.OpenTallyAsync();
        var toAlice = new PeerDestination(a.Agent, "127.0.0.1", a.Port);

        JsonObject Payment(Guid chit, Func<JsonObject, string> sign)
        {
            var content = new JsonObject
            {
                ["tally"] = tally.ToString(), ["by"] = "foil", ["type"] = "tran", ["uuid"] = chit.ToString(),
                ["date"] = "2026-02-03T04:05:06.789Z", ["units"] = 42,
            };
            var obj = (JsonObject)content.DeepClone();
            obj["sign"] = sign(content);
            return new JsonObject
            {
                ["target"] = "chit", ["action"] = "good",
                ["to"] = new JsonObject { ["cuid"] = "alice", ["agent"] = a.Agent.ToString() },
                ["from"] = new JsonObject { ["cuid"] = "bob", ["agent"] = b.Agent.ToString() },
                ["object"] = obj,
            };
        }

        var dropped = a.NextAsync(o => o.Direction == BridgeDirection.Remote && o.Action == "good");
        var forged = Payment(Guid.NewGuid(), _ => a.Sign(Alice, JsonNode.Parse("{}")!));
        await b.Node.SendAsync(toAlice, Encoding.UTF8.GetBytes(forged.ToJsonString())).WaitAsync(BridgeSite.Patience);
        Assert.Equal("invalid chit signature", (await dropped).Problem);
        Assert.Equal(0, a.Bridge.ParkedCount);   // a bad signature is final, not kept for a retry

        var paid = Guid.NewGuid();
        var taken = a.AcceptedAsync(BridgeDirection.Remote, "chit", "good");
        await b.Node.SendAsync(toAlice, Encoding.UTF8.GetBytes(Payment(paid, content => b.Sign(Bob, content)).ToJsonString())).WaitAsync(BridgeSite.Patience);
        await taken;
        Assert.Equal(1L, await a.ScalarAsync("select count(*) from mychips.chits"));
        Assert.Equal("good", await a.ScalarTextAsync("select status from mychips.chits where chit_uuid = $1", paid));
    }
}
