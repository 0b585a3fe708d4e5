using Microsoft.Extensions.Logging;
using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Holds one connection that LISTENs for agent changes and evicts changed agents from the cache.
/// When the connection is lost the cache is cleared and marked stale until LISTEN is re-issued; the
/// reconnect waits with a doubling delay. The loop runs as one task that ends on <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class AgentChangeListener : IAsyncDisposable
{
    private readonly BoundedDatabase _database;
    private readonly PostgresKeyStoreOptions _options;
    private readonly AgentCache _cache;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _listening = NewSignal();
    private Task? _loop;

    public AgentChangeListener(BoundedDatabase database, PostgresKeyStoreOptions options, AgentCache cache, ILogger logger, TimeProvider time)
    {
        _database = database;
        _options = options;
        _cache = cache;
        _logger = logger;
        _time = time;
    }

    public AgentListenerState State { get; private set; } = AgentListenerState.Stopped;

    public event Action<AgentListenerState>? StateChanged;

    /// <summary>Raised after an agent was evicted; null means every agent (the table was truncated).</summary>
    public event Action<AgentId?>? AgentChanged;

    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    public Task WhenListeningAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _listening.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            loop = _loop;
        }
        if (loop is not null) await loop.ConfigureAwait(false);
        _cache.Reset(fresh: false);
        SetState(AgentListenerState.Stopped);
        lock (_gate) _listening.TrySetException(new ObjectDisposedException(nameof(PostgresKeyProvider), "The agent listener was stopped."));
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = _options.ReconnectDelay;
        var channel = _options.Names.AgentsChangedChannel;
        while (!stop.IsCancellationRequested)
        {
            SetState(AgentListenerState.Connecting);
            NpgsqlConnection? connection = null;
            try
            {
                using (var deadline = Deadline(stop))
                {
                    connection = await _database.DataSource.OpenConnectionAsync(deadline.Token).ConfigureAwait(false);
                    connection.Notification += OnNotification;
                    await using var listen = new NpgsqlCommand($"LISTEN {SqlNames.Quote(channel)}", connection);
                    listen.CommandTimeout = _database.CommandTimeoutSeconds;
                    await listen.ExecuteNonQueryAsync(deadline.Token).ConfigureAwait(false);
                    await RequireNotifyTriggerAsync(connection, deadline.Token).ConfigureAwait(false);
                }
                // From here every change is announced to us, so records read from now on may be kept.
                _cache.Reset(fresh: true);
                SetState(AgentListenerState.Listening);
                _logger.LogInformation("Listening for agent changes on channel {Channel} at {Endpoint}.", channel, _database.Endpoint);
                delay = _options.ReconnectDelay;
                while (true)
                {
                    if (await connection.WaitAsync(_options.ListenerKeepAlive, stop).ConfigureAwait(false)) continue;
                    await KeepAliveAsync(connection, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _cache.Reset(fresh: false);
                SetState(AgentListenerState.Disconnected);
                var problem = e is MissingNotifyTriggerException ? e.Message : _database.Unavailable("listen for agent changes", e).Message;
                _logger.LogWarning(e, "{Problem} Retrying in {Delay} ms; agent lookups bypass the cache meanwhile.",
                    problem, delay.TotalMilliseconds);
            }
            finally
            {
                if (connection is not null)
                {
                    connection.Notification -= OnNotification;
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    // LISTEN succeeds on any channel, announced or not: without the trigger the cache would never hear
    // of a change, so it is not used until the trigger is there.
    private async Task RequireNotifyTriggerAsync(NpgsqlConnection connection, CancellationToken token)
    {
        var names = _options.Names;
        var table = $"{SqlNames.Quote(names.Schema)}.{SqlNames.Quote(names.AgentsTable)}";
        await using var check = new NpgsqlCommand(
            "select exists (select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid " +
            "where t.tgrelid = to_regclass($1) and not t.tgisinternal and t.tgenabled <> 'D' " +
            // A row trigger on insert, update and delete: tgtype bits ROW 1, INSERT 4, DELETE 8, UPDATE 16.
            "and (t.tgtype & 29) = 29 " +
            "and p.prosrc like '%pg_notify%' and strpos(p.prosrc, $2) > 0)", connection);
        check.CommandTimeout = _database.CommandTimeoutSeconds;
        check.Parameters.Add(new NpgsqlParameter { Value = table });
        check.Parameters.Add(new NpgsqlParameter { Value = SqlNames.Literal(names.AgentsChangedChannel) });
        if (await check.ExecuteScalarAsync(token).ConfigureAwait(false) is not true)
            throw new MissingNotifyTriggerException(
                $"No enabled trigger on {table} announces changes on channel '{names.AgentsChangedChannel}', so agent records " +
                $"cannot be cached safely. Apply {nameof(MyChipsDatabase)}.{nameof(MyChipsDatabase.AdditionsScript)}() to the database.");
    }

    private sealed class MissingNotifyTriggerException(string message) : Exception(message);

    // A silent connection may be a dead one: ask the server something small, within the deadline.
    private async Task KeepAliveAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        using var deadline = Deadline(stop);
        await using var ping = new NpgsqlCommand("select 1", connection);
        ping.CommandTimeout = _database.CommandTimeoutSeconds;
        await ping.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
    }

    private CancellationTokenSource Deadline(CancellationToken stop)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(_options.OperationTimeout);
        return deadline;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Channel, _options.Names.AgentsChangedChannel, StringComparison.Ordinal)) return;
        AgentId? changed = null;
        if (AgentId.TryParse(e.Payload, out var agent))
        {
            _cache.Invalidate(agent);
            changed = agent;
        }
        else
        {
            // An empty payload (truncate) or one that names no valid agent: trust nothing cached.
            _cache.Reset(fresh: true);
        }
        Raise(() => AgentChanged?.Invoke(changed));
    }

    private void SetState(AgentListenerState state)
    {
        lock (_gate)
        {
            if (State == state) return;
            State = state;
            if (state == AgentListenerState.Listening) _listening.TrySetResult();
            else if (_listening.Task.IsCompleted) _listening = NewSignal();
        }
        KeyStoreMetrics.ListenerState(state);
        Raise(() => StateChanged?.Invoke(state));
    }

    private void Raise(Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "An agent listener event handler threw; the listener carries on.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
