using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// Route discovery over an open tally: alice's draft route becomes a query to bob's site, which answers good for
/// a user it has and none for one it has not; alice's route takes the answer.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RouteTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict, false, "bob", "good")]
    [InlineData(PeerMode.Raw, true, "bob", "good")]
    [InlineData(PeerMode.Strict, false, "nobody", "none")]
    public async Task A_query_is_answered_by_the_partner_site(PeerMode mode, bool oneDatabase, string destination, string answer)
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, mode, oneDatabase);
        await sites.OpenTallyAsync();

        var queried = sites.B.NextAsync(o => o.Target == "route" && o.Action == "query");
        // The answer may come before alice's site has recorded its query as sent: then it is kept and taken in after.
        var answered = sites.A.AcceptedAsync(BridgeDirection.Remote, "route", answer);
        await sites.A.ExecuteAsync("insert into mychips.routes (via_ent, via_tseq, dst_cuid, dst_agent) values ($1, 1, $2, $3)",
            Alice, destination, sites.B.Agent.ToString());

        Assert.True((await queried).Accepted, (await queried).Problem);
        await answered;
        Assert.Equal(answer, await sites.A.ScalarTextAsync("select status from mychips.routes where via_ent = $1", Alice));
        Assert.Equal(0L, await sites.A.ScalarAsync("select count(*) from mychips.route_tries"));
    }
}
