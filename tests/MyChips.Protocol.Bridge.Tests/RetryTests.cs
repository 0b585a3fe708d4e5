using System.Net;
using System.Net.Sockets;
using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres;
using MyChips.Protocol.Testing;
using static MyChips.Protocol.Bridge.Tests.SitePair;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>What is not delivered or not taken in is never lost: tally_notices re-sends it, or it is reported.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RetryTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Raw, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task An_unreachable_partner_gets_the_offer_when_tally_notices_resends_it(PeerMode mode, bool oneDatabase)
    {
        var dbA = await BridgeSite.CreateDatabaseAsync(fixture.Server);
        var dbB = oneDatabase ? dbA : await BridgeSite.CreateDatabaseAsync(fixture.Server);
        await using var a = await BridgeSite.StartAsync(dbA, mode);
        await a.AddUserAsync("alice");

        // Bob's agent is known at a port nothing listens on yet.
        var port = FreePort();
        using var bKey = AgentKey.Generate("127.0.0.1", port);
        var bobChad = $$$"""{"chad":{"cuid":"bob","agent":"{{{bKey.Agent}}}","host":"127.0.0.1","port":{{{port}}}}}""";
        await a.ExecuteAsync("insert into mychips.tallies (tally_ent, tally_seq, part_cert) values ($1, 1, $2::jsonb)", Alice, bobChad);
        var uuid = (Guid)(await a.ScalarAsync("select tally_uuid from mychips.tallies"))!;
        var failed = a.NextAsync(o => o.Action == "offer");
        await a.ExecuteAsync("update mychips.tallies set request = 'offer', hold_sig = $2 where tally_uuid = $1", uuid, await a.SignTallyAsync(Alice, uuid));
        Assert.Contains("not delivered", (await failed).Problem, StringComparison.Ordinal);
        Assert.Equal("draft.offer", await a.StateAsync(Alice, uuid));
        Assert.Equal(1, await a.ScalarAsync("select tries from mychips.tally_tries"));
        Assert.Equal(0, await a.Bridge.ResendAsync());   // younger than the retry age (an hour): left alone

        // Bob's agent comes up; as in MyCHIPs's own test, the attempt is made old and tally_notices re-sends it.
        await using var b = await BridgeSite.StartWithKeyAsync(dbB, mode, bKey, port);
        await b.KnowAsync(a);
        await b.AddUserAsync("bob");
        var taken = b.AcceptedAsync(BridgeDirection.Remote, "tally", "offer");
        var confirmed = a.AcceptedAsync(BridgeDirection.Local, "tally", "offer");
        await a.ExecuteAsync("update mychips.tally_tries set last = current_timestamp - interval '70 minutes'");
        Assert.Equal(1, await a.Bridge.ResendAsync());
        await Task.WhenAll(taken, confirmed);
        Assert.Equal("P.offer", await b.StateAsync(Bob, uuid));
        Assert.Equal("H.offer", await a.StateAsync(Alice, uuid));
        Assert.Equal(0L, await a.ScalarAsync("select count(*) from mychips.tally_tries"));
    }

    [Fact]
    public async Task A_message_the_database_refuses_is_reported_with_its_reason_and_kept_for_a_retry()
    {
        await using var sites = await SitePair.StartAsync(fixture.Server, PeerMode.Strict, oneDatabase: false);
        var (a, b) = (sites.A, sites.B);

        // An offer for a user B does not have.
        var refused = b.NextAsync(o => o.Direction == BridgeDirection.Remote);
        var json = $$$"""{"target":"tally","action":"offer","to":{"cuid":"nobody","agent":"{{{b.Agent}}}"},"from":{"cuid":"alice","agent":"{{{a.Agent}}}"},"object":{"uuid":"{{{Guid.NewGuid()}}}"}}""";
        await a.Node.SendAsync(new PeerDestination(b.Agent, "127.0.0.1", b.Port), Encoding.UTF8.GetBytes(json)).WaitAsync(BridgeSite.Patience);
        var outcome = await refused;
        Assert.False(outcome.Accepted);
        Assert.Equal("the database refused it", outcome.Problem);
        Assert.Equal(1, b.Bridge.ParkedCount);
        Assert.Equal(0L, await b.ScalarAsync("select count(*) from mychips.tallies"));
    }

    [Fact]
    public async Task A_refused_message_is_given_up_after_its_attempts_with_each_one_reported()
    {
        var options = BridgeSite.Quiet with { ParkedAttempts = 2 };
        await using var sites = await SitePair.StartAsync(fixture.Server, PeerMode.Strict, oneDatabase: true, options);
        var (a, b) = (sites.A, sites.B);
        var uuid = await sites.OpenTallyAsync();

        // A chit for a tally bob does not have is refused; two accepted messages later it has been tried twice.
        var stray = $$$"""{"target":"chit","action":"pend","to":{"cuid":"bob","agent":"{{{b.Agent}}}"},"from":{"cuid":"alice","agent":"{{{a.Agent}}}"},"object":{"tally":"{{{Guid.NewGuid()}}}","uuid":"{{{Guid.NewGuid()}}}","by":"foil","units":1}}""";
        var firstRefusal = b.NextAsync(o => o.Target == "chit" && !o.Accepted);
        await a.Node.SendAsync(new PeerDestination(b.Agent, "127.0.0.1", b.Port), Encoding.UTF8.GetBytes(stray)).WaitAsync(BridgeSite.Patience);
        await firstRefusal;
        var secondRefusal = b.NextAsync(o => o.Target == "chit" && !o.Accepted);
        var invoiced = b.AcceptedAsync(BridgeDirection.Remote, "chit", "pend");
        await a.ExecuteAsync("insert into mychips.chits (chit_ent, chit_seq, issuer, units, request) values ($1, 1, 'foil', 5, 'pend')", Alice);
        await Task.WhenAll(invoiced, secondRefusal);
        Assert.Equal(0, b.Bridge.ParkedCount);
        Assert.Equal(2, b.Outcomes.Count(o => o.Target == "chit" && o.Action == "pend" && o.Problem == "the database refused it"));
        _ = uuid;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
