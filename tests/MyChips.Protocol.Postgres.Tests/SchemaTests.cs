using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresFixture fixture)
{
    [Fact]
    public async Task The_schema_can_be_applied_again_without_harm()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = await db.AddAgentAsync();

        await MyChipsDatabase.ApplySchemaAsync(db.DataSource);

        Assert.Equal(1L, await db.ScalarAsync("select count(*) from mychips.agents where agent = $1", agent.Agent.ToString()));
    }

    [Fact]
    public async Task The_trigger_fills_agent_key_with_the_decoded_agent_id()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var agent = TestDatabase.NewAgent();

        await db.ExecuteAsync("insert into mychips.agents (agent, agent_host, agent_port) values ($1, 'h', 1)", agent.Agent.ToString());

        var key = (byte[])(await db.ScalarAsync("select agent_key from mychips.agents where agent = $1", agent.Agent.ToString()))!;
        Assert.Equal(agent.Agent.ToPublicKey(), key);
    }

    [Fact]
    public async Task Changing_an_agent_id_refills_its_key()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var before = await db.AddAgentAsync();
        var after = TestDatabase.NewAgent();

        await db.ExecuteAsync("update mychips.agents set agent = $1 where agent = $2", after.Agent.ToString(), before.Agent.ToString());

        var key = (byte[])(await db.ScalarAsync("select agent_key from mychips.agents where agent = $1", after.Agent.ToString()))!;
        Assert.Equal(after.Agent.ToPublicKey(), key);
    }

    [Fact]
    public async Task An_agent_id_that_is_not_base64_is_refused_by_the_trigger()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            db.ExecuteAsync("insert into mychips.agents (agent, agent_host, agent_port) values ('not*base64', 'h', 1)"));
        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
    }

    [Fact]
    public void The_script_uses_the_configured_names_quoted()
    {
        var names = new MyChipsTableNames { Schema = "site", AgentsTable = "Peers", AgentHostColumn = "addr", AgentsChangedChannel = "peer_changes" };

        var script = MyChipsDatabase.SchemaScript(names);

        Assert.Contains("create table if not exists \"site\".\"Peers\"", script, StringComparison.Ordinal);
        Assert.Contains("\"addr\" text not null", script, StringComparison.Ordinal);
        Assert.Contains("pg_notify('peer_changes'", script, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_additions_script_only_adds_the_notice_the_bound_column_and_the_handshakes_table()
    {
        var script = MyChipsDatabase.AdditionsScript();

        // The one table it creates is its own, never one of the MyCHIPs tables.
        Assert.Equal(["create table if not exists \"mychips\".peer_handshakes ("],
            script.Split('\n').Where(line => line.Contains("create table", StringComparison.Ordinal)));
        Assert.Contains("pg_notify('mychips_agents'", script, StringComparison.Ordinal);
        Assert.Contains("add column if not exists \"bound_chad\"", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agents; drop table x")]
    [InlineData("a\"b")]
    [InlineData("")]
    [InlineData("1agents")]
    public void A_name_that_is_not_a_plain_identifier_is_refused_with_the_setting_named(string bad)
    {
        var names = new MyChipsTableNames { AgentsTable = bad };

        var error = Assert.Throws<ArgumentException>(() => MyChipsDatabase.SchemaScript(names));
        Assert.Contains("AgentsTable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_additions_apply_to_an_existing_database_twice()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);

        await MyChipsDatabase.ApplyAdditionsAsync(db.DataSource);
        await MyChipsDatabase.ApplyAdditionsAsync(db.DataSource);

        Assert.Equal(2L, await db.ScalarAsync(
            "select count(*) from pg_trigger where tgrelid = 'mychips.agents'::regclass and tgname like 'agents_tr_notify%'"));
    }

    [Fact]
    public async Task The_schema_can_be_applied_from_a_connection_string()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("schema");

        await MyChipsDatabase.ApplySchemaAsync(connectionString);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("select count(*) from pg_tables where schemaname = 'mychips'");
        Assert.Equal(5L, await command.ExecuteScalarAsync()); // agents, users, tallies, tokens, peer_handshakes
    }
}
