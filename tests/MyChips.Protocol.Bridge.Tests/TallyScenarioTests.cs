using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// MyCHIPs's tally scenario (test/auto/proto/tally.js) through two bridges with signatures checked: alice's ticket,
/// bob redeems it (draft), alice offers, bob asks for a revision and counters, alice opens; the tally is then
/// block 0 of both chit chains. On two databases and on one database with two agents, strict and raw.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TallyScenarioTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Raw, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task Ticket_draft_offer_counter_offer_and_open(PeerMode mode, bool oneDatabase)
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, mode, oneDatabase);
        var (a, b) = (sites.A, sites.B);

        // Alice makes a draft tally and a ticket for it; bob's site accepts the ticket.
        await a.ExecuteAsync("insert into mychips.tallies (tally_ent, tally_seq, contract) values ($1, 1, '{\"name\":\"deluxe\"}')", Alice);
        await a.ExecuteAsync("insert into mychips.tokens (token_ent, token_seq, token, tally_seq) values ($1, 1, md5(random()::text), 1)", Alice);
        var ticket = await a.ScalarTextAsync("select jsonb_build_object('token', token, 'expires', expires, 'chad', chad)::text from mychips.tokens_v");
        var uuid = (Guid)(await a.ScalarAsync("select tally_uuid from mychips.tallies where tally_ent = $1", Alice))!;
        var redeemed = a.AcceptedAsync(BridgeDirection.Remote, "tally", "ticket");
        Assert.Equal(true, await b.ScalarAsync("select mychips.ticket_process($1::jsonb, $2)", ticket!, Bob));
        await redeemed;
        Assert.Equal("P.draft", await a.StateAsync(Alice, uuid));
        Assert.Equal(false, await a.ScalarAsync("select mychips.token_valid(token) from mychips.tokens"));

        // Alice signs and offers.
        var offered = b.AcceptedAsync(BridgeDirection.Remote, "tally", "offer");
        var sent = a.AcceptedAsync(BridgeDirection.Local, "tally", "offer");
        await a.ExecuteAsync("update mychips.tallies set request = 'offer', hold_sig = $3 where tally_ent = $1 and tally_uuid = $2",
            Alice, uuid, await a.SignTallyAsync(Alice, uuid));
        await Task.WhenAll(offered, sent);
        Assert.Equal("P.offer", await b.StateAsync(Bob, uuid));
        Assert.Equal("H.offer", await a.StateAsync(Alice, uuid));
        Assert.Equal("foil", await b.ScalarTextAsync("select tally_type::text from mychips.tallies where tally_ent = $1", Bob));

        // Bob wants it revised (counter-offer): his draft, then his own signed offer.
        var revising = a.AcceptedAsync(BridgeDirection.Remote, "tally", "draft");
        var redrafted = b.AcceptedAsync(BridgeDirection.Local, "tally", "draft");
        await b.ExecuteAsync("update mychips.tallies set request = 'draft' where tally_ent = $1", Bob);
        await Task.WhenAll(revising, redrafted);
        Assert.Equal("P.draft", await b.StateAsync(Bob, uuid));
        Assert.Equal(2, await b.ScalarAsync("select revision from mychips.tallies where tally_ent = $1", Bob));
        await b.ExecuteAsync("update mychips.tallies set comment = 'Revised offer' where tally_ent = $1", Bob);
        var countered = a.AcceptedAsync(BridgeDirection.Remote, "tally", "offer");
        await b.ExecuteAsync("update mychips.tallies set request = 'offer', hold_sig = $3 where tally_ent = $1 and tally_uuid = $2",
            Bob, uuid, await b.SignTallyAsync(Bob, uuid));
        await countered;
        Assert.Equal("P.offer", await a.StateAsync(Alice, uuid));
        Assert.Equal("Revised offer", await a.ScalarTextAsync("select comment from mychips.tallies where tally_ent = $1", Alice));

        // Alice accepts: both open, and both agree on the chain's first block.
        var chained = a.AcceptedAsync(BridgeDirection.Remote, "chit", "chain");
        var opened = b.AcceptedAsync(BridgeDirection.Remote, "tally", "open");
        await a.ExecuteAsync("update mychips.tallies set request = 'open', hold_sig = $3 where tally_ent = $1 and tally_uuid = $2",
            Alice, uuid, await a.SignTallyAsync(Alice, uuid));
        await Task.WhenAll(chained, opened);
        Assert.Equal("open", await a.StateAsync(Alice, uuid));
        Assert.Equal("open", await b.StateAsync(Bob, uuid));
        Assert.Equal(0, await a.ScalarAsync("select chain_conf from mychips.tallies where tally_ent = $1", Alice));
        Assert.Equal(0, await b.ScalarAsync("select chain_conf from mychips.tallies where tally_ent = $1", Bob));
        Assert.Equal(await a.ScalarTextAsync("select encode(digest, 'hex') from mychips.tallies where tally_ent = $1", Alice),
            await b.ScalarTextAsync("select encode(digest, 'hex') from mychips.tallies where tally_ent = $1", Bob));
        Assert.Equal(0L, await a.ScalarAsync("select count(*) from mychips.tally_tries"));
    }
}
