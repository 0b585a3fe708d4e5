using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Helpers around a MyCHIPs database: a data source with bounded timeouts, the schema scripts, and rows
/// for agents and users (for tests, demos and the command line).
/// </summary>
public static class MyChipsDatabase
{
    private const string TablesScript = "001_tables.sql";
    private const string NotifyScript = "002_agents_notify.sql";
    private const string BoundChadScript = "003_tokens_bound_chad.sql";
    private const string HandshakesScript = "004_peer_handshakes.sql";

    /// <summary>
    /// A data source whose connect and command timeouts fit <see cref="PostgresKeyStoreOptions.OperationTimeout"/>,
    /// so a dead server is noticed inside the deadline rather than cut off by it.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, PostgresKeyStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= PostgresKeyStoreOptions.Default;
        options.Validate();
        var seconds = Math.Max(1, (int)Math.Ceiling(options.OperationTimeout.TotalSeconds));
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Timeout = Bounded(settings.Timeout, seconds);
        settings.CommandTimeout = Bounded(settings.CommandTimeout, seconds);
        // A cancelled query on a server that does not answer is given up quickly instead of waited for.
        settings.CancellationTimeout = Math.Min(500, (int)options.OperationTimeout.TotalMilliseconds);
        // The same few statements run for every connection a node accepts: let Npgsql prepare them.
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = 16;
        return builder.Build();
    }

    // Npgsql reads 0 as "wait for ever".
    private static int Bounded(int configuredSeconds, int limitSeconds) =>
        configuredSeconds <= 0 ? limitSeconds : Math.Min(configuredSeconds, limitSeconds);

    /// <summary>
    /// The whole script for a fresh database: a MyCHIPs-shaped subset of agents (with the trigger that fills
    /// agent_key from agent), users, tallies and tokens, plus the change notice and the bound-address column.
    /// </summary>
    public static string SchemaScript(MyChipsTableNames? names = null)
    {
        names ??= MyChipsTableNames.Default;
        return string.Join("\n", Scripts(names, includeTables: true).Select(script => SqlNames.Render(ReadScript(script), names)));
    }

    /// <summary>
    /// Only what this library adds to an existing MyCHIPs database: the agents change notice, when configured
    /// the bound-address column of the tokens table, and the peer_handshakes table of the replay guard. Safe to
    /// run more than once.
    /// </summary>
    public static string AdditionsScript(MyChipsTableNames? names = null)
    {
        names ??= MyChipsTableNames.Default;
        return string.Join("\n", Scripts(names, includeTables: false).Select(script => SqlNames.Render(ReadScript(script), names)));
    }

    /// <summary>Creates the schema of <see cref="SchemaScript"/> (idempotent).</summary>
    public static Task ApplySchemaAsync(NpgsqlDataSource dataSource, MyChipsTableNames? names = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(dataSource, SchemaScript(names), cancellationToken);

    /// <summary>Creates the schema of <see cref="SchemaScript"/> in the database a connection string names (idempotent).</summary>
    public static async Task ApplySchemaAsync(string connectionString, MyChipsTableNames? names = null, CancellationToken cancellationToken = default)
    {
        var dataSource = CreateDataSource(connectionString);
        await using (dataSource.ConfigureAwait(false))
        {
            await ApplySchemaAsync(dataSource, names, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds <see cref="AdditionsScript"/> to an existing MyCHIPs database (idempotent).</summary>
    public static Task ApplyAdditionsAsync(NpgsqlDataSource dataSource, MyChipsTableNames? names = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(dataSource, AdditionsScript(names), cancellationToken);

    /// <summary>Adds or replaces an agent row (key, host, port).</summary>
    public static async Task UpsertAgentAsync(NpgsqlDataSource dataSource, AgentRecord agent, MyChipsTableNames? names = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var n = names ?? MyChipsTableNames.Default;
        n.Validate();
        var sql =
            $"insert into {Q(n.Schema)}.{Q(n.AgentsTable)} ({Q(n.AgentColumn)}, {Q(n.AgentKeyColumn)}, {Q(n.AgentHostColumn)}, {Q(n.AgentPortColumn)}) " +
            $"values ($1, $2, $3, $4) on conflict ({Q(n.AgentColumn)}) do update set " +
            $"{Q(n.AgentKeyColumn)} = excluded.{Q(n.AgentKeyColumn)}, {Q(n.AgentHostColumn)} = excluded.{Q(n.AgentHostColumn)}, " +
            $"{Q(n.AgentPortColumn)} = excluded.{Q(n.AgentPortColumn)}";
        await ExecuteAsync(dataSource, sql, cancellationToken, agent.Agent.ToString(), agent.Ed25519PublicKey.ToArray(), agent.Host, agent.Port)
            .ConfigureAwait(false);
    }

    /// <summary>Adds a user of this site (or renames it): the cuid and agent of its CHIP address. Its agent row must exist.</summary>
    public static async Task UpsertUserAsync(NpgsqlDataSource dataSource, string userEntity, ChipAddress address,
        MyChipsTableNames? names = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userEntity);
        ArgumentNullException.ThrowIfNull(address);
        var n = names ?? MyChipsTableNames.Default;
        n.Validate();
        var sql =
            $"insert into {Q(n.Schema)}.{Q(n.UsersTable)} ({Q(n.UserEntityColumn)}, {Q(n.UserCuidColumn)}, {Q(n.UserAgentColumn)}) " +
            $"values ($1, $2, $3) on conflict ({Q(n.UserEntityColumn)}) do update set " +
            $"{Q(n.UserCuidColumn)} = excluded.{Q(n.UserCuidColumn)}, {Q(n.UserAgentColumn)} = excluded.{Q(n.UserAgentColumn)}";
        await ExecuteAsync(dataSource, sql, cancellationToken, userEntity, address.Cuid, address.Agent.ToString()).ConfigureAwait(false);
    }

    private static IEnumerable<string> Scripts(MyChipsTableNames names, bool includeTables)
    {
        if (includeTables) yield return TablesScript;
        yield return NotifyScript;
        if (names.TokenBoundChadColumn is not null) yield return BoundChadScript;
        yield return HandshakesScript;
    }

    private static string ReadScript(string fileName)
    {
        var assembly = typeof(MyChipsDatabase).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(r => r.EndsWith("." + fileName, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params object[] values)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Q(string identifier) => SqlNames.Quote(identifier);
}
