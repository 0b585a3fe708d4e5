using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MyChips.Protocol.Bridge;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Hosting.Tests;

/// <summary>The site bridge as a hosted service, over a hosted node and a real (throwaway) site database.</summary>
public sealed class MyChipsSiteBridgeServiceTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_host_runs_the_bridge_over_its_node_until_it_stops()
    {
        var connection = await fixture.Server.CreateDatabaseAsync("hosted-bridge");
        using var siteKey = AgentKey.Generate("127.0.0.1", 0);
        await using (var db = MyChipsDatabase.CreateDataSource(connection))
        {
            await MyChipsDatabase.ApplySchemaAsync(db);
            await BridgeSchema.ApplyAsync(db);
            await MyChipsDatabase.UpsertAgentAsync(db, AgentRecord.FromId(siteKey.Agent, "127.0.0.1", 65003));
            await MyChipsDatabase.UpsertUserAsync(db, "palice", new ChipAddress("alice", siteKey.Agent, "127.0.0.1", 65003));
            await MyChipsDatabase.UpsertUserAsync(db, "pbob", new ChipAddress("bob", siteKey.Agent, "127.0.0.1", 65003));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddMyChipsPeer(o =>
        {
            o.LocalKey = siteKey;
            o.KeyStore = KeyStoreKind.Postgres;
            o.PostgresConnectionString = connection;
        });
        builder.Services.AddMyChipsSiteBridge(o => o.Bridge = new SiteBridgeOptions { CheckSignatures = false, RetryAge = TimeSpan.FromHours(1) });
        using var host = builder.Build();
        Assert.True(host.Services.GetRequiredService<IOptions<MyChipsPeerOptions>>().Value.SiteTickets);
        var service = host.Services.GetRequiredService<MyChipsSiteBridgeService>();

        await host.StartAsync();
        var bridge = await service.WhenStarted.WaitAsync(Deadline);
        Assert.Equal(siteKey.Agent, bridge.Agent);
        var taken = new TaskCompletionSource<BridgeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        bridge.Handled += (_, outcome) => { if (outcome.Direction == BridgeDirection.Remote && outcome.Action == "offer") taken.TrySetResult(outcome); };

        // Alice offers bob (both users of the hosted agent) a tally: the bridge takes it from the database to the database.
        await using (var db = MyChipsDatabase.CreateDataSource(connection))
        {
            await using (var offer = db.CreateCommand(
                "insert into mychips.tallies (tally_ent, tally_seq, part_cert, hold_sig, request) values ('palice', 1, mychips.user_cert('pbob'), 'signed', 'offer')"))
                await offer.ExecuteNonQueryAsync();
            var outcome = await taken.Task.WaitAsync(Deadline);
            Assert.True(outcome.Accepted, outcome.Problem);
            await using var state = db.CreateCommand("select mychips.tally_state(t) from mychips.tallies t where tally_ent = 'pbob'");
            Assert.Equal("P.offer", await state.ExecuteScalarAsync());
        }

        await host.StopAsync();
        Assert.Throws<InvalidOperationException>(() => service.Bridge);
    }
}
