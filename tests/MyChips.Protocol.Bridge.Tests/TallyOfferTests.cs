using System.Net;
using System.Net.Sockets;
using System.Text;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// A tally offer made in one site's database reaches the partner's database through two bridges: on two
/// databases (two sites) and on one database with two agents (scale-out), in strict and raw modes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TallyOfferTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict, false)]
    [InlineData(PeerMode.Raw, false)]
    [InlineData(PeerMode.Strict, true)]
    [InlineData(PeerMode.Raw, true)]
    public async Task An_offer_reaches_the_partner_and_is_confirmed_at_home(PeerMode mode, bool oneDatabase)
    {
        var (dbA, dbB) = await DatabasesAsync(oneDatabase);
        await using var a = await BridgeSite.StartAsync(dbA, mode);
        await using var b = await BridgeSite.StartAsync(dbB, mode);
        await a.KnowAsync(b);
        await b.KnowAsync(a);
        await a.AddUserAsync("alice");
        await b.AddUserAsync("bob");
        var uuid = await DraftTallyAsync(a, "palice", "bob", b);

        var taken = b.NextAsync(o => o.Direction == BridgeDirection.Remote && o.Action == "offer");
        var confirmed = a.NextAsync(o => o.Direction == BridgeDirection.Local && o.Action == "offer");
        await Offer(a, uuid);

        Assert.True((await taken).Accepted, (await taken).Problem);
        Assert.True((await confirmed).Accepted, (await confirmed).Problem);
        Assert.Equal("offer", await b.ScalarAsync("select status from mychips.tallies where tally_ent = 'pbob' and tally_uuid = $1", uuid));
        Assert.Equal("alice", await b.ScalarAsync("select part_cuid from mychips.tallies where tally_ent = 'pbob' and tally_uuid = $1", uuid));
        Assert.Equal(a.Agent.ToString(), await b.ScalarAsync("select part_agent from mychips.tallies where tally_ent = 'pbob' and tally_uuid = $1", uuid));
        Assert.Equal("H.offer", await a.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t where tally_ent = 'palice'"));
        Assert.Equal(0L, await a.ScalarAsync("select count(*) from mychips.tally_tries"));
    }

    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public async Task An_unreachable_partner_gets_the_offer_when_tally_notices_resends_it(PeerMode mode)
    {
        var (dbA, dbB) = await DatabasesAsync(oneDatabase: false);
        var port = FreePort();
        await using var a = await BridgeSite.StartAsync(dbA, mode);
        await a.AddUserAsync("alice");

        // B's agent is known at a port nothing listens on yet.
        var bKey = Keys.AgentKey.Generate("127.0.0.1", port);
        await Postgres.MyChipsDatabase.UpsertAgentAsync(dbA, bKey.ToRecord());
        var uuid = Guid.NewGuid();
        await Execute(dbA, "insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, part_cuid, part_agent, hold_sig) values ('palice', 1, $1, 'bob', $2, 'signed')",
            uuid, bKey.Agent.ToString());
        var failed = a.NextAsync(o => o.Action == "offer");
        await Offer(a, uuid);
        Assert.Contains("not delivered", (await failed).Problem, StringComparison.Ordinal);
        Assert.Equal("draft.offer", await a.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t"));
        Assert.Equal(1, await a.ScalarAsync("select tries from mychips.tally_tries"));
        Assert.Equal(0, await a.Bridge.ResendAsync()); // younger than the retry age: left alone

        // The partner comes up; the retry comes from the database's own record of what is pending.
        await using var b = await BridgeSite.StartWithKeyAsync(dbB, mode, bKey, port);
        await b.KnowAsync(a);
        await b.AddUserAsync("bob");
        var taken = b.NextAsync(o => o.Direction == BridgeDirection.Remote && o.Action == "offer");
        var confirmed = a.NextAsync(o => o.Direction == BridgeDirection.Local && o.Action == "offer");
        Assert.Equal(1, await a.Bridge.ResendAsync(TimeSpan.Zero));

        Assert.True((await taken).Accepted, (await taken).Problem);
        Assert.True((await confirmed).Accepted, (await confirmed).Problem);
        Assert.Equal("P.offer", await b.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t where tally_uuid = $1", uuid));
        Assert.Equal("H.offer", await a.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t"));
    }

    [Fact]
    public async Task A_message_the_database_refuses_is_reported_with_its_reason()
    {
        var (dbA, dbB) = await DatabasesAsync(oneDatabase: false);
        await using var a = await BridgeSite.StartAsync(dbA, PeerMode.Strict);
        await using var b = await BridgeSite.StartAsync(dbB, PeerMode.Strict);
        await b.KnowAsync(a);

        // An offer for a user B does not have.
        var refused = b.NextAsync(o => o.Direction == BridgeDirection.Remote);
        var json = $$$"""{"target":"tally","action":"offer","to":{"cuid":"nobody","agent":"{{{b.Agent}}}"},"from":{"cuid":"alice","agent":"{{{a.Agent}}}"},"object":{"uuid":"{{{Guid.NewGuid()}}}"}}""";
        await a.Node.SendAsync(new PeerDestination(b.Agent, "127.0.0.1", b.Node.LocalEndPoint.Port), Encoding.UTF8.GetBytes(json)).WaitAsync(BridgeSite.Patience);
        var outcome = await refused;
        Assert.False(outcome.Accepted);
        Assert.Equal("the database refused it", outcome.Problem);
        Assert.Equal(0L, await b.ScalarAsync("select count(*) from mychips.tallies"));
    }

    private async Task<(NpgsqlDataSource, NpgsqlDataSource)> DatabasesAsync(bool oneDatabase)
    {
        var first = await BridgeSite.CreateDatabaseAsync(fixture.Server);
        return (first, oneDatabase ? first : await BridgeSite.CreateDatabaseAsync(fixture.Server));
    }

    private static async Task<Guid> DraftTallyAsync(BridgeSite holder, string entity, string partnerCuid, BridgeSite partner)
    {
        var uuid = Guid.NewGuid();
        await Execute(holder.Db, "insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, part_cuid, part_agent, hold_sig) values ($1, 1, $2, $3, $4, 'signed')",
            entity, uuid, partnerCuid, partner.Agent.ToString());
        return uuid;
    }

    private static Task Offer(BridgeSite holder, Guid uuid) =>
        Execute(holder.Db, "update mychips.tallies set request = 'offer' where tally_uuid = $1 and hold_sig is not null", uuid);

    private static async Task Execute(NpgsqlDataSource db, string sql, params object[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
