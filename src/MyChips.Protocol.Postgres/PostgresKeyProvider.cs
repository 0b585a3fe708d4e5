using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// The agents a site knows, read from the MyCHIPs agents table (agent id, trusted key, host, port).
/// Between <see cref="StartAsync"/> and <see cref="StopAsync"/> records are cached and kept fresh by
/// LISTEN/NOTIFY; while the listener is down every lookup goes to the database. Each lookup ends
/// within <see cref="PostgresKeyStoreOptions.OperationTimeout"/>, with an answer or a
/// <see cref="KeyStoreUnavailableException"/>.
/// </summary>
public sealed class PostgresKeyProvider : IKeyProvider, IAsyncDisposable
{
    private readonly BoundedDatabase _database;
    private readonly PostgresKeyStoreOptions _options;
    private readonly AgentCache _cache;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private AgentChangeListener? _listener;
    private bool _disposed;
    private readonly NpgsqlDataSource? _ownedDataSource;
    private readonly string _lookupSql;

    /// <param name="dataSource">Where the agents table is; not disposed by this provider.</param>
    public PostgresKeyProvider(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options = null,
        ILogger<PostgresKeyProvider>? logger = null, TimeProvider? timeProvider = null)
        : this(dataSource, options, logger, timeProvider, ownsDataSource: false)
    {
    }

    private PostgresKeyProvider(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options, ILogger? logger,
        TimeProvider? timeProvider, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _options = options ?? PostgresKeyStoreOptions.Default;
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _database = new BoundedDatabase(dataSource, _options.OperationTimeout, _time);
        _cache = new AgentCache(_options.MaxCachedAgents);
        _ownedDataSource = ownsDataSource ? dataSource : null;
        var n = _options.Names;
        _lookupSql =
            $"select {Q(n.AgentKeyColumn)}, {Q(n.AgentHostColumn)}, {Q(n.AgentPortColumn)} " +
            $"from {Q(n.Schema)}.{Q(n.AgentsTable)} where {Q(n.AgentColumn)} = $1";
    }

    /// <summary>A provider with its own data source, made from a connection string (see <see cref="MyChipsDatabase.CreateDataSource"/>).</summary>
    public static PostgresKeyProvider Create(string connectionString, PostgresKeyStoreOptions? options = null,
        ILogger<PostgresKeyProvider>? logger = null, TimeProvider? timeProvider = null)
    {
        options ??= PostgresKeyStoreOptions.Default;
        return new PostgresKeyProvider(MyChipsDatabase.CreateDataSource(connectionString, options), options, logger, timeProvider, ownsDataSource: true);
    }

    public AgentListenerState ListenerState => _listener?.State ?? AgentListenerState.Stopped;

    /// <summary>Raised from the listener's task when it connects, loses or regains the database.</summary>
    public event EventHandler<AgentListenerState>? ListenerStateChanged;

    /// <summary>Raised after a change notice evicted an agent (null: all agents) from the cache.</summary>
    public event EventHandler<AgentId?>? AgentChanged;

    /// <summary>
    /// Starts the listener that keeps the cache fresh (when <see cref="PostgresKeyStoreOptions.CacheAgents"/>).
    /// Returns at once: a database that is down now is retried in the background.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_options.CacheAgents) return Task.CompletedTask;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listener is not null) return Task.CompletedTask;
            var listener = new AgentChangeListener(_database, _options, _cache, _logger, _time);
            listener.StateChanged += state => ListenerStateChanged?.Invoke(this, state);
            listener.AgentChanged += agent => AgentChanged?.Invoke(this, agent);
            listener.Start();
            _listener = listener;
        }
        return Task.CompletedTask;
    }

    /// <summary>Completes once the listener is receiving change notices (again).</summary>
    public Task WhenListeningAsync(CancellationToken cancellationToken = default)
    {
        var listener = _listener ?? throw new InvalidOperationException(
            _options.CacheAgents ? "The agent listener is not started: call StartAsync first." : "Agent caching is off, so nothing listens.");
        return listener.WhenListeningAsync(cancellationToken);
    }

    /// <summary>Stops the listener and empties the cache; the task ends when the listener has. StartAsync may follow.</summary>
    public async Task StopAsync()
    {
        AgentChangeListener? listener;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
        }
        if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask<AgentRecord?> FindAgentAsync(AgentId agent, CancellationToken cancellationToken = default)
    {
        if (agent.IsEmpty) throw new ArgumentException("The empty agent id names no agent.", nameof(agent));
        if (_cache.TryGet(agent, out var cached))
        {
            KeyStoreMetrics.Lookup(fromCache: true, found: true);
            return cached;
        }
        var generation = _cache.Generation;
        var record = await _database.RunAsync("lookup", $"look up agent {agent}", (connection, token) => ReadAsync(connection, agent, token),
            cancellationToken).ConfigureAwait(false);
        KeyStoreMetrics.Lookup(fromCache: false, found: record is not null);
        if (record is not null && _options.CacheAgents) _cache.Store(record, generation);
        return record;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        await StopAsync().ConfigureAwait(false);
        if (_ownedDataSource is not null) await _ownedDataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<AgentRecord?> ReadAsync(NpgsqlConnection connection, AgentId agent, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(_lookupSql, connection);
        command.CommandTimeout = _database.CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter { Value = agent.ToString() });
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        if (!await reader.ReadAsync(token).ConfigureAwait(false)) return null;
        // A schema without the key trigger may leave the key empty: then the id itself is the key.
        var key = reader.IsDBNull(0) ? agent.ToPublicKey() : reader.GetFieldValue<byte[]>(0);
        var host = reader.GetString(1);
        var port = reader.GetInt32(2);
        if (key.Length != AgentId.PublicKeyLength || port is < 1 or > 65535 || string.IsNullOrWhiteSpace(host))
        {
            // A row that cannot authenticate anyone: treat the agent as unknown rather than trust it.
            _logger.LogWarning("Agent {Agent} has an unusable row (key of {KeyLength} bytes, host '{Host}', port {Port}); treated as unknown.",
                agent, key.Length, host, port);
            return null;
        }
        return new AgentRecord(agent, key, host, port);
    }

    private static string Q(string identifier) => SqlNames.Quote(identifier);
}
