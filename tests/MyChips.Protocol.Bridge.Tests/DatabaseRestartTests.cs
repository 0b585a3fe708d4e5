using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>The site database goes away and comes back: the bridge listens again and loses nothing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseRestartTests(PostgresFixture fixture)
{
    [Fact]
    public async Task After_a_database_restart_a_pending_offer_is_sent()
    {
        var dbA = await BridgeSite.CreateDatabaseAsync(fixture.Server);
        var dbB = await BridgeSite.CreateDatabaseAsync(fixture.Server);
        // Every pending request counts as due, so the reconnect's tally_notices picks up whatever was missed.
        var resendAll = new SiteBridgeOptions { RetryAge = TimeSpan.Zero, RetryDelay = TimeSpan.FromHours(1), NoticeInterval = TimeSpan.FromHours(1), ReconnectDelay = TimeSpan.FromMilliseconds(100) };
        await using var a = await BridgeSite.StartWithKeyAsync(dbA, PeerMode.Strict, AgentKey.Generate("127.0.0.1", 0), 0, resendAll);
        await using var b = await BridgeSite.StartAsync(dbB, PeerMode.Strict);
        await a.KnowAsync(b);
        await b.KnowAsync(a);
        await a.AddUserAsync("alice");
        await b.AddUserAsync("bob");
        var uuid = Guid.NewGuid();
        var bobCert = await b.ScalarTextAsync("select mychips.user_cert('pbob')::text");
        await Execute(dbA, "insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, part_cert) values ('palice', 1, $1, $2::jsonb)", uuid, bobCert!);
        var signature = await a.SignTallyAsync("palice", uuid);
        // The test server runs with synchronous_commit=off: make the rows survive the crash-stop.
        await Execute(dbA, "checkpoint");

        await fixture.Server.StopAsync();
        await fixture.Server.StartAgainAsync();

        var taken = b.NextAsync(o => o.Direction == BridgeDirection.Remote && o.Action == "offer");
        var confirmed = a.NextAsync(o => o.Direction == BridgeDirection.Local && o.Action == "offer" && o.Accepted);
        // Made while the bridge may still be reconnecting: delivered either by its notification or by tally_notices.
        await ExecuteWhenUpAsync(dbA, "update mychips.tallies set request = 'offer', hold_sig = $2 where tally_uuid = $1", uuid, signature);

        Assert.True((await taken).Accepted, (await taken).Problem);
        Assert.True((await confirmed).Accepted, (await confirmed).Problem);
        Assert.Equal("P.offer", await b.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t where tally_uuid = $1", uuid));
        Assert.Equal("H.offer", await a.ScalarAsync("select mychips.tally_state(t) from mychips.tallies t where tally_uuid = $1", uuid));
    }

    private static async Task Execute(NpgsqlDataSource db, string sql, params object[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }

    // Pooled connections broken by the restart fail once each; polling with a deadline waits out the external server.
    private static async Task ExecuteWhenUpAsync(NpgsqlDataSource db, string sql, params object[] values)
    {
        var deadline = DateTime.UtcNow + BridgeSite.Patience;
        while (true)
        {
            try
            {
                await Execute(db, sql, values);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
