using System.Security.Cryptography;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Postgres.Tests.Fixtures;

/// <summary>A fresh database on the shared server with the MyCHIPs-shaped schema applied.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static int s_nextPort = 40_000;

    private TestDatabase(string connectionString, NpgsqlDataSource dataSource, PostgresKeyStoreOptions options)
    {
        ConnectionString = connectionString;
        DataSource = dataSource;
        Options = options;
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public PostgresKeyStoreOptions Options { get; }

    public MyChipsTableNames Names => Options.Names;

    public static async Task<TestDatabase> CreateAsync(PostgresServer server, PostgresKeyStoreOptions? options = null)
    {
        options ??= new PostgresKeyStoreOptions();
        var connectionString = await server.CreateDatabaseAsync("keys");
        var dataSource = MyChipsDatabase.CreateDataSource(connectionString, options);
        await MyChipsDatabase.ApplySchemaAsync(dataSource, options.Names);
        return new TestDatabase(connectionString, dataSource, options);
    }

    /// <summary>A new agent with a random key, stored in the agents table.</summary>
    public async Task<AgentRecord> AddAgentAsync(string host = "127.0.0.1")
    {
        var agent = NewAgent(host);
        await MyChipsDatabase.UpsertAgentAsync(DataSource, agent, Names);
        return agent;
    }

    /// <summary>A user of this site with its own agent row; returns its CHIP address.</summary>
    public async Task<ChipAddress> AddUserAsync(string cuid)
    {
        var agent = await AddAgentAsync();
        var address = new ChipAddress(cuid, agent.Agent, agent.Host, agent.Port);
        await MyChipsDatabase.UpsertUserAsync(DataSource, "p" + cuid, address, Names);
        return address;
    }

    public static AgentRecord NewAgent(string host = "127.0.0.1") =>
        AgentRecord.FromId(AgentId.FromPublicKey(RandomNumberGenerator.GetBytes(AgentId.PublicKeyLength)), host,
            Interlocked.Increment(ref s_nextPort));

    public async Task<int> ExecuteAsync(string sql, params object[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql, params object[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
