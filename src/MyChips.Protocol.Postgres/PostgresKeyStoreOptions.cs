namespace MyChips.Protocol.Postgres;

/// <summary>Settings shared by <see cref="PostgresKeyProvider"/> and <see cref="PostgresTicketStore"/>.</summary>
public sealed record PostgresKeyStoreOptions
{
    /// <summary>Schema, table and column names; MyCHIPs's by default.</summary>
    public MyChipsTableNames Names { get; init; } = MyChipsTableNames.Default;

    /// <summary>
    /// The most one call (lookup, issue, redeem) may take, connecting included, before it fails with
    /// <see cref="Protocol.Keys.KeyStoreUnavailableException"/>.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Keep agent records in memory, refreshed by LISTEN/NOTIFY while the listener runs.</summary>
    public bool CacheAgents { get; init; } = true;

    /// <summary>At most this many agents are cached; lookups beyond it go to the database.</summary>
    public int MaxCachedAgents { get; init; } = 10_000;

    /// <summary>How long the listening connection may stay silent before it is checked with a query.</summary>
    public TimeSpan ListenerKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>First wait before the listener reconnects after losing the database; doubles up to the maximum.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    public static PostgresKeyStoreOptions Default { get; } = new();

    public void Validate()
    {
        Names.Validate();
        RequirePositive(OperationTimeout, nameof(OperationTimeout));
        RequirePositive(ListenerKeepAlive, nameof(ListenerKeepAlive));
        RequirePositive(ReconnectDelay, nameof(ReconnectDelay));
        if (MaxReconnectDelay < ReconnectDelay)
            throw new ArgumentException($"{nameof(MaxReconnectDelay)} must be at least {nameof(ReconnectDelay)}.");
        if (MaxCachedAgents < 0)
            throw new ArgumentException($"{nameof(MaxCachedAgents)} must not be negative.");
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
            throw new ArgumentException($"{nameof(PostgresKeyStoreOptions)}.{name} must be a positive, finite time.");
    }
}
