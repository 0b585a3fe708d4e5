using MyChips.Peer.Commands;
using MyChips.Protocol.Bridge;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Peer.Tests.Commands;

/// <summary><c>bridge</c> against a real (throwaway) PostgreSQL server.</summary>
[Collection(PostgresCommandCollection.Name)]
public sealed class BridgeCommandTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bridge-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_offer_between_two_users_of_the_served_agent_is_delivered_in_the_database()
    {
        var connection = await fixture.Server.CreateDatabaseAsync("bridge");
        var (keyFile, agent) = CliHarness.WriteKey(_folder, "site", port: 65002);
        await using var db = MyChipsDatabase.CreateDataSource(connection);
        await MyChipsDatabase.ApplySchemaAsync(db);
        await BridgeSchema.ApplyAsync(db);
        await MyChipsDatabase.UpsertAgentAsync(db, AgentRecord.FromId(agent, "127.0.0.1", 65002));
        await MyChipsDatabase.UpsertUserAsync(db, "palice", new ChipAddress("alice", agent, "127.0.0.1", 65002));
        await MyChipsDatabase.UpsertUserAsync(db, "pbob", new ChipAddress("bob", agent, "127.0.0.1", 65002));
        await using (var insert = db.CreateCommand("insert into mychips.tallies (tally_ent, tally_seq, part_cert, hold_sig, request) values ('palice', 1, jsonb_build_object('chad', jsonb_build_object('cuid', 'bob', 'agent', $1::text, 'host', '127.0.0.1', 'port', 65002)), 'signed', 'offer')"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = agent.ToString() });
            await insert.ExecuteNonQueryAsync();
        }

        using var stop = new CancellationTokenSource();
        var error = new StringWriter();
        // A zero retry age: the start-up tally_notices sends the pending offer whenever the bridge starts listening.
        var run = BridgeCommand.RunAsync(new BridgeCommand.Settings
        {
            KeyFile = new FileInfo(keyFile), Postgres = connection, Port = 0, RetryAge = TimeSpan.Zero, CheckSignatures = false,
        }, error, stop.Token);

        // Polling with a deadline: the bridge runs as the command would, with no hook into its progress.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        object? state = null;
        // Bob's copy comes first; alice's is confirmed right after (the offer is handled here before it is recorded).
        const string states = "select string_agg(tally_ent || '=' || mychips.tally_state(t), ',' order by tally_ent) from mychips.tallies t";
        while (DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await using var query = db.CreateCommand(states);
            state = await query.ExecuteScalarAsync();
            if (state is "palice=H.offer,pbob=P.offer") break;
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("palice=H.offer,pbob=P.offer", state);
    }

    [Fact]
    public async Task A_missing_key_file_exits_2()
    {
        var (exit, _, error) = await CliHarness.InvokeAsync("bridge", "--key", Path.Combine(_folder, "none.agk"), "--postgres", "Host=127.0.0.1");
        Assert.Equal(2, exit);
        Assert.Contains("bridge:", error, StringComparison.Ordinal);
    }
}
