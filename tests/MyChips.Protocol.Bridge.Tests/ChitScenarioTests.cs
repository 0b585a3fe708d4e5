using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// MyCHIPs's chit scenario (test/auto/proto/chit.js) on an open tally, signatures checked: alice invoices bob, bob
/// declines; alice invoices again and bob pays it, which links the chit into both chains at index 1.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChitScenarioTests(PostgresFixture fixture)
{
    private const string ChitState =
        "select mychips.chit_state(c.issuer <> t.tally_type, c.status, c.request) from mychips.chits c " +
        "join mychips.tallies t on t.tally_ent = c.chit_ent and t.tally_seq = c.chit_seq where c.chit_ent = $1 and c.chit_uuid = $2";

    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Raw, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task Invoice_decline_and_pay(PeerMode mode, bool oneDatabase)
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, mode, oneDatabase);
        var (a, b) = (sites.A, sites.B);
        await sites.OpenTallyAsync();

        // An invoice: a chit for bob (the foil) to sign.
        var declined = Guid.NewGuid();
        var invoiced = b.AcceptedAsync(BridgeDirection.Remote, "chit", "pend");
        var sent = a.AcceptedAsync(BridgeDirection.Local, "chit", "pend");
        await Invoice(a, declined, 100);
        await Task.WhenAll(invoiced, sent);
        Assert.Equal("A.pend", await a.ScalarTextAsync(ChitState, Alice, declined));
        Assert.Equal("L.pend", await b.ScalarTextAsync(ChitState, Bob, declined));

        var refused = a.AcceptedAsync(BridgeDirection.Remote, "chit", "void");
        var recorded = b.AcceptedAsync(BridgeDirection.Local, "chit", "void");
        await b.ExecuteAsync("update mychips.chits set request = 'void' where chit_uuid = $1 and chit_ent = $2", declined, Bob);
        await Task.WhenAll(refused, recorded);
        Assert.Equal("A.void", await a.ScalarTextAsync(ChitState, Alice, declined));
        Assert.Equal("L.void", await b.ScalarTextAsync(ChitState, Bob, declined));

        // The second invoice is paid: bob signs it, and both chains take it at index 1.
        var paid = Guid.NewGuid();
        invoiced = b.AcceptedAsync(BridgeDirection.Remote, "chit", "pend");
        await Invoice(a, paid, 250);
        await invoiced;
        var acked = b.AcceptedAsync(BridgeDirection.Remote, "chit", "chain");
        await b.ExecuteAsync("update mychips.chits set request = 'good', signature = $3 where chit_uuid = $1 and chit_ent = $2",
            paid, Bob, await b.SignChitAsync(Bob, paid));
        await acked;
        Assert.Equal("A.good", await a.ScalarTextAsync(ChitState, Alice, paid));
        Assert.Equal("L.good", await b.ScalarTextAsync(ChitState, Bob, paid));
        const string link = "select chain_idx || ':' || encode(chain_dgst, 'hex') from mychips.chits where chit_ent = $1 and chit_uuid = $2";
        var linkA = await a.ScalarTextAsync(link, Alice, paid);
        Assert.StartsWith("1:", linkA, StringComparison.Ordinal);
        Assert.Equal(linkA, await b.ScalarTextAsync(link, Bob, paid));
        Assert.Equal(1, await a.ScalarAsync("select chain_conf from mychips.tallies where tally_ent = $1", Alice));
        Assert.Equal(1, await b.ScalarAsync("select chain_conf from mychips.tallies where tally_ent = $1", Bob));
        Assert.Equal(0L, await a.ScalarAsync("select count(*) from mychips.chit_tries"));
    }

    private static Task Invoice(BridgeSite stock, Guid chit, long units) =>
        stock.ExecuteAsync("insert into mychips.chits (chit_ent, chit_seq, chit_uuid, issuer, units, memo, request) values ($1, 1, $2, 'foil', $3, 'invoice', 'pend')",
            Alice, chit, units);
}
