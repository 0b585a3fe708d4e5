using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AgentChangeNotificationTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_changed_agent_row_is_seen_through_notify()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = await StartedProviderAsync(db);
        Assert.Equal(agent.Port, (await provider.FindAgentAsync(agent.Agent))?.Port);
        var changed = NoticeFor(provider, agent.Agent);
        var newKey = TestDatabase.NewAgent().Agent.ToPublicKey();

        await db.ExecuteAsync("update mychips.agents set agent_key = $1, agent_port = 7001 where agent = $2", newKey, agent.Agent.ToString());
        await changed.Within();

        var found = await provider.FindAgentAsync(agent.Agent);
        Assert.Equal(7001, found?.Port);
        Assert.Equal(newKey, found?.Ed25519PublicKey.ToArray());
    }

    [Fact]
    public async Task Records_are_served_from_the_cache_while_listening()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = await StartedProviderAsync(db);
        await provider.FindAgentAsync(agent.Agent);

        // Without the notice the cache cannot know: what it serves shows that it was used.
        await db.ExecuteAsync("alter table mychips.agents disable trigger agents_tr_notify");
        await db.ExecuteAsync("update mychips.agents set agent_port = 7002 where agent = $1", agent.Agent.ToString());

        Assert.Equal(agent.Port, (await provider.FindAgentAsync(agent.Agent))?.Port);
    }

    [Fact]
    public async Task A_deleted_agent_becomes_unknown()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = await StartedProviderAsync(db);
        Assert.NotNull(await provider.FindAgentAsync(agent.Agent));
        var changed = NoticeFor(provider, agent.Agent);

        await db.ExecuteAsync("delete from mychips.agents where agent = $1", agent.Agent.ToString());
        await changed.Within();

        Assert.Null(await provider.FindAgentAsync(agent.Agent));
    }

    [Fact]
    public async Task A_truncated_table_empties_the_cache()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = await StartedProviderAsync(db);
        Assert.NotNull(await provider.FindAgentAsync(agent.Agent));
        var everything = Signals.New<bool>();
        provider.AgentChanged += (_, changed) =>
        {
            if (changed is null) everything.TrySetResult(true);
        };

        await db.ExecuteAsync("truncate mychips.agents cascade");
        await everything.Within();

        Assert.Null(await provider.FindAgentAsync(agent.Agent));
    }

    [Fact]
    public async Task Without_the_listener_every_lookup_reads_the_database()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);
        await provider.FindAgentAsync(agent.Agent);
        await db.ExecuteAsync("alter table mychips.agents disable trigger agents_tr_notify");

        await db.ExecuteAsync("update mychips.agents set agent_port = 7003 where agent = $1", agent.Agent.ToString());

        Assert.Equal(AgentListenerState.Stopped, provider.ListenerState);
        Assert.Equal(7003, (await provider.FindAgentAsync(agent.Agent))?.Port);
    }

    [Fact]
    public async Task A_stopped_listener_empties_the_cache_and_can_start_again()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await using var provider = await StartedProviderAsync(db);
        await provider.FindAgentAsync(agent.Agent);
        await db.ExecuteAsync("alter table mychips.agents disable trigger agents_tr_notify");
        await db.ExecuteAsync("update mychips.agents set agent_port = 7004 where agent = $1", agent.Agent.ToString());

        await provider.StopAsync();
        Assert.Equal(AgentListenerState.Stopped, provider.ListenerState);
        Assert.Equal(7004, (await provider.FindAgentAsync(agent.Agent))?.Port);
        await db.ExecuteAsync("alter table mychips.agents enable trigger agents_tr_notify");

        await provider.StartAsync();
        await provider.WhenListeningAsync().Within();
        Assert.Equal(AgentListenerState.Listening, provider.ListenerState);
    }

    [Fact]
    public async Task Without_the_notify_trigger_the_cache_is_not_used_until_the_trigger_is_added()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await db.ExecuteAsync("drop trigger agents_tr_notify on mychips.agents");
        var options = db.Options with { ReconnectDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100) };
        await using var provider = new PostgresKeyProvider(db.DataSource, options);
        var refused = provider.ReachesAsync(AgentListenerState.Disconnected);
        await provider.StartAsync();
        await refused;

        await provider.FindAgentAsync(agent.Agent);
        await db.ExecuteAsync("update mychips.agents set agent_port = 7005 where agent = $1", agent.Agent.ToString());
        Assert.Equal(7005, (await provider.FindAgentAsync(agent.Agent))?.Port);

        await MyChipsDatabase.ApplyAdditionsAsync(db.DataSource);
        await provider.WhenListeningAsync().Within();
        Assert.Equal(AgentListenerState.Listening, provider.ListenerState);
    }

    private static async Task<PostgresKeyProvider> StartedProviderAsync(TestDatabase db)
    {
        var provider = new PostgresKeyProvider(db.DataSource, db.Options);
        await provider.StartAsync();
        await provider.WhenListeningAsync().Within();
        return provider;
    }

    private static Task NoticeFor(PostgresKeyProvider provider, AgentId agent)
    {
        var seen = Signals.New<bool>();
        provider.AgentChanged += (_, changed) =>
        {
            if (changed == agent) seen.TrySetResult(true);
        };
        return seen.Task;
    }
}
