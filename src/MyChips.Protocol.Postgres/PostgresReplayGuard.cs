using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// The replay guard kept in the site's database (the <c>peer_handshakes</c> table of
/// <see cref="MyChipsDatabase.AdditionsScript"/>): one insert per accepted handshake, so a recorded K or I is
/// refused however long ago it was first seen and across restarts. Every call ends within
/// <see cref="PostgresKeyStoreOptions.OperationTimeout"/> with an answer or a <see cref="KeyStoreUnavailableException"/>,
/// and the node then refuses the handshake: a handshake that could not be checked is never accepted.
/// </summary>
public sealed class PostgresReplayGuard : IReplayGuard, IAsyncDisposable
{
    private readonly BoundedDatabase _database;
    private readonly string _insert;
    private readonly NpgsqlDataSource? _ownedDataSource;

    /// <param name="dataSource">The site's database; not disposed by this guard.</param>
    public PostgresReplayGuard(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options = null, TimeProvider? timeProvider = null)
        : this(dataSource, options, timeProvider, ownsDataSource: false)
    {
    }

    private PostgresReplayGuard(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options, TimeProvider? timeProvider, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= PostgresKeyStoreOptions.Default;
        options.Validate();
        _database = new BoundedDatabase(dataSource, options.OperationTimeout, timeProvider ?? TimeProvider.System);
        _insert = $"insert into {SqlNames.Quote(options.Names.Schema)}.peer_handshakes (ephemeral) values ($1) on conflict do nothing";
        _ownedDataSource = ownsDataSource ? dataSource : null;
    }

    /// <summary>A guard with its own data source, made from a connection string.</summary>
    public static PostgresReplayGuard Create(string connectionString, PostgresKeyStoreOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= PostgresKeyStoreOptions.Default;
        return new PostgresReplayGuard(MyChipsDatabase.CreateDataSource(connectionString, options), options, timeProvider, ownsDataSource: true);
    }

    public async ValueTask<bool> TryAcceptAsync(ReadOnlyMemory<byte> ephemeralKey, CancellationToken cancellationToken = default)
    {
        if (ephemeralKey.Length != 32) throw new ArgumentException("An X25519 ephemeral key is 32 bytes.", nameof(ephemeralKey));
        var key = ephemeralKey.ToArray();
        return await _database.RunAsync("replay", "record a handshake's ephemeral key", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(_insert, connection) { CommandTimeout = _database.CommandTimeoutSeconds };
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownedDataSource is not null) await _ownedDataSource.DisposeAsync().ConfigureAwait(false);
    }
}
