using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

/// <summary>The shared server is stopped and started again mid-test; the collection runs its tests one at a time.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests(PostgresFixture fixture)
{
    private static readonly PostgresKeyStoreOptions Options = new()
    {
        OperationTimeout = TimeSpan.FromSeconds(2),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_stopped_database_gives_clear_errors_and_its_return_is_picked_up_without_a_restart()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server, Options);
        var agent = await db.AddAgentAsync();
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, TimeSpan.FromHours(1)));
        await using var provider = new PostgresKeyProvider(db.DataSource, Options);
        await provider.StartAsync();
        await provider.WhenListeningAsync().Within();
        Assert.NotNull(await provider.FindAgentAsync(agent.Agent));
        var endpoint = $"127.0.0.1:{fixture.Server.Port}";

        // The test server runs with synchronous_commit=off: make what was written survive the crash-stop.
        await db.ExecuteAsync("checkpoint");
        var down = provider.ReachesAsync(AgentListenerState.Disconnected);
        try
        {
            await fixture.Server.StopAsync();
            await down;

            // The cached record is not served: nothing kept it fresh while the database was gone.
            var lookup = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () => await provider.FindAgentAsync(agent.Agent)).Within();
            Assert.Contains(endpoint, lookup.Message, StringComparison.Ordinal);
            Assert.Contains("look up agent", lookup.Message, StringComparison.Ordinal);

            var redeem = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () =>
                await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent))).Within();
            Assert.Contains(endpoint, redeem.Message, StringComparison.Ordinal);
            Assert.Contains("redeem a ticket", redeem.Message, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Server.StartAgainAsync();
        }

        // The same instances work again once the server is back.
        await provider.WhenListeningAsync().Within();
        Assert.Equal(agent.Port, (await provider.FindAgentAsync(agent.Agent))?.Port);
        var redemption = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));
        Assert.Equal(TicketRejection.None, redemption.Rejection);

        // And notices flow again on the new listening connection.
        var changed = Signals.New<bool>();
        provider.AgentChanged += (_, id) =>
        {
            if (id == agent.Agent) changed.TrySetResult(true);
        };
        await db.ExecuteAsync("update mychips.agents set agent_port = 7100 where agent = $1", agent.Agent.ToString());
        await changed.Within();
        Assert.Equal(7100, (await provider.FindAgentAsync(agent.Agent))?.Port);
    }
}
