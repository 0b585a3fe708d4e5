using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// MyCHIPs's chain scenario (test/auto/proto/chain.js): payments get lost on the way (the partner's agent is
/// down), later ones carry the chain forward, and both sides end with the same chain, in the order the foil
/// holder (bob) decides. Signatures are not checked here, as in MyCHIPs's own run of it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChainScenarioTests(PostgresFixture fixture)
{
    private static readonly SiteBridgeOptions Unchecked = BridgeSite.Quiet with { CheckSignatures = false };

    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Raw, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task Chains_reconcile_after_lost_payments(PeerMode mode, bool oneDatabase)
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, mode, oneDatabase, Unchecked);
        await sites.OpenTallyAsync();

        // Bob's 30 is lost; alice's 40 arrives at bob, who sends his version (30, 40) and alice conforms.
        await sites.RestartAsync(agentA: true, () => PayLostAsync(sites.B, Bob, "foil", 30));
        var acked = sites.B.AcceptedAsync(BridgeDirection.Remote, "chit", "chain");
        await Pay(sites.A, Alice, "stock", 40);
        await acked;
        await AssertSameChainAsync(sites, 30, 40);

        // Alice's 60 is lost; bob's 50 takes index 3 at alice, whose 60 moves to 4 and goes to bob.
        await sites.RestartAsync(agentA: false, () => PayLostAsync(sites.A, Alice, "stock", 60));
        acked = sites.A.AcceptedAsync(BridgeDirection.Remote, "chit", "chain");
        await Pay(sites.B, Bob, "foil", 50);
        await acked;
        await AssertSameChainAsync(sites, 30, 40, 50, 60);

        // Both lose two; alice's 90 brings bob's 70 and 80 to her, and her 100 and 110 (pushed out) to him.
        await sites.RestartAsync(agentA: true, async () =>
        {
            await PayLostAsync(sites.B, Bob, "foil", 70);
            await PayLostAsync(sites.B, Bob, "foil", 80);
        });
        await sites.RestartAsync(agentA: false, async () =>
        {
            await PayLostAsync(sites.A, Alice, "stock", 100);
            await PayLostAsync(sites.A, Alice, "stock", 110);
        });
        acked = sites.A.AcceptedAsync(BridgeDirection.Remote, "chit", "chain", count: 2);   // bob's update, then his ack
        await Pay(sites.A, Alice, "stock", 90);
        await acked;
        await AssertSameChainAsync(sites, 30, 40, 50, 60, 70, 80, 90, 100, 110);
        Assert.Equal(9, await sites.A.ScalarAsync("select chain_conf from mychips.tallies where tally_ent = $1", Alice));
    }

    private static async Task AssertSameChainAsync(SitePair sites, params long[] units)
    {
        const string chain = "select string_agg(chain_idx || ':' || units || ':' || encode(chain_dgst, 'hex'), ',' order by chain_idx) " +
                             "from mychips.chits where chit_ent = $1 and status = 'good'";
        var ofA = await sites.A.ScalarTextAsync(chain, Alice);
        Assert.Equal(ofA, await sites.B.ScalarTextAsync(chain, Bob));
        Assert.Equal(string.Join(',', units.Select((u, i) => $"{i + 1}:{u}")),
            string.Join(',', ofA!.Split(',').Select(link => string.Join(':', link.Split(':')[..2]))));
    }

    private static async Task PayLostAsync(BridgeSite site, string entity, string side, long units)
    {
        var lost = site.NextAsync(o => o.Direction == BridgeDirection.Local && o.Action == "good");
        await Pay(site, entity, side, units);
        Assert.Contains("not sent", (await lost).Problem, StringComparison.Ordinal);
    }

    private static Task Pay(BridgeSite site, string entity, string side, long units) =>
        site.ExecuteAsync("insert into mychips.chits (chit_ent, chit_seq, issuer, units, signature, request) values ($1, 1, $2::tally_side, $3, 'Signature', 'good')",
            entity, side, units);
}
