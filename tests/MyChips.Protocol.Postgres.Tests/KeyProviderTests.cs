using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class KeyProviderTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_known_agent_comes_back_with_its_key_host_and_port()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync("peer.example");
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);

        var found = await provider.FindAgentAsync(agent.Agent);

        Assert.NotNull(found);
        Assert.Equal(agent.Agent, found.Agent);
        Assert.Equal(agent.Ed25519PublicKey.ToArray(), found.Ed25519PublicKey.ToArray());
        Assert.Equal("peer.example", found.Host);
        Assert.Equal(agent.Port, found.Port);
        Assert.True(found.KeyMatchesId());
    }

    [Fact]
    public async Task An_unknown_agent_is_null()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        await db.AddAgentAsync();
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);

        Assert.Null(await provider.FindAgentAsync(TestDatabase.NewAgent().Agent));
    }

    [Fact]
    public async Task The_stored_key_is_the_one_trusted_even_when_it_differs_from_the_id()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        var other = TestDatabase.NewAgent().Agent.ToPublicKey();
        await db.ExecuteAsync("update mychips.agents set agent_key = $1 where agent = $2", other, agent.Agent.ToString());
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);

        var found = await provider.FindAgentAsync(agent.Agent);

        Assert.NotNull(found);
        Assert.Equal(other, found.Ed25519PublicKey.ToArray());
        Assert.False(found.KeyMatchesId());
    }

    [Fact]
    public async Task A_row_with_a_key_of_the_wrong_length_is_treated_as_unknown()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();
        await db.ExecuteAsync("update mychips.agents set agent_key = '\\x0102'::bytea where agent = $1", agent.Agent.ToString());
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);

        Assert.Null(await provider.FindAgentAsync(agent.Agent));
    }

    [Fact]
    public async Task The_empty_agent_id_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        await using var provider = new PostgresKeyProvider(db.DataSource, db.Options);

        await Assert.ThrowsAsync<ArgumentException>(async () => await provider.FindAgentAsync(default));
    }

    [Fact]
    public async Task Other_table_and_column_names_work_when_configured()
    {
        var options = new PostgresKeyStoreOptions
        {
            Names = new MyChipsTableNames
            {
                Schema = "site", AgentsTable = "Peers", AgentColumn = "peer_id", AgentKeyColumn = "pub",
                AgentHostColumn = "addr", AgentPortColumn = "tcp_port", AgentsChangedChannel = "peer_changes",
            },
        };
        await using var db = await TestDatabase.CreateAsync(fixture.Server, options);
        var agent = await db.AddAgentAsync();
        await using var provider = new PostgresKeyProvider(db.DataSource, options);
        await provider.StartAsync();
        await provider.WhenListeningAsync();

        var found = await provider.FindAgentAsync(agent.Agent);

        Assert.Equal(agent.Port, found?.Port);
        Assert.Equal(1L, await db.ScalarAsync("select count(*) from site.\"Peers\" where peer_id = $1", agent.Agent.ToString()));
    }

    [Fact]
    public async Task A_missing_table_is_a_clear_unavailable_error()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var options = db.Options with { Names = new MyChipsTableNames { AgentsTable = "no_such_table" } };
        await using var provider = new PostgresKeyProvider(db.DataSource, options);

        var error = await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () =>
            await provider.FindAgentAsync(TestDatabase.NewAgent().Agent));

        Assert.Contains("42P01", error.Message, StringComparison.Ordinal);
        Assert.Contains("look up agent", error.Message, StringComparison.Ordinal);
    }
}
