using System.Globalization;
using System.Net.Sockets;
using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Runs one database call under a deadline and turns every way the database can fail to answer into
/// <see cref="KeyStoreUnavailableException"/> naming the server and the operation. A call that Npgsql
/// itself does not abandon in time is abandoned here, so the caller never waits past the deadline.
/// </summary>
internal sealed class BoundedDatabase
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public BoundedDatabase(NpgsqlDataSource dataSource, TimeSpan timeout, TimeProvider time)
    {
        _dataSource = dataSource;
        _timeout = timeout;
        _time = time;
        Endpoint = DescribeEndpoint(dataSource.ConnectionString);
    }

    /// <summary>host:port of the server, for error messages.</summary>
    public string Endpoint { get; }

    public int CommandTimeoutSeconds => Math.Max(1, (int)Math.Ceiling(_timeout.TotalSeconds));

    public NpgsqlDataSource DataSource => _dataSource;

    /// <param name="kind">The operation's name in metrics: lookup, issue, redeem.</param>
    /// <param name="operation">What is being done, as a phrase: "look up agent X".</param>
    public async Task<T> RunAsync<T>(string kind, string operation, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var attempts = AttemptAsync(work, linked.Token);
        try
        {
            return await attempts.WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsUnanswered(e))
        {
            KeyStoreMetrics.Unavailable(kind);
            throw Unavailable(operation, e);
        }
        finally
        {
            if (!attempts.IsCompleted)
            {
                // Abandoned: tell it to give up now, and observe its late failure so it is not reported as unobserved.
                await linked.CancelAsync().ConfigureAwait(false);
                _ = attempts.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>The error for a failure that happened outside <see cref="RunAsync{T}"/> (the listener).</summary>
    public KeyStoreUnavailableException Unavailable(string operation, Exception e) => e switch
    {
        TimeoutException or OperationCanceledException or NpgsqlException { InnerException: TimeoutException } =>
            new KeyStoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL at {Endpoint} did not answer in time ({_timeout.TotalSeconds:0.###} s) to {operation}."), e),
        PostgresException pg =>
            new KeyStoreUnavailableException($"PostgreSQL at {Endpoint} refused to {operation}: {pg.SqlState}: {pg.MessageText}", e),
        _ => new KeyStoreUnavailableException($"PostgreSQL at {Endpoint} could not be reached to {operation}: {e.Message}", e),
    };

    public static bool IsUnanswered(Exception e) =>
        e is NpgsqlException or SocketException or IOException or TimeoutException or OperationCanceledException;

    private async Task<T> AttemptAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken token)
    {
        try
        {
            return await OnceAsync(work, token).ConfigureAwait(false);
        }
        catch (Exception e) when (!token.IsCancellationRequested && IsBrokenConnection(e))
        {
            // Pooled connections die with the server; drop them all and try once more on a fresh one.
            _dataSource.Clear();
            return await OnceAsync(work, token).ConfigureAwait(false);
        }
    }

    private async Task<T> OnceAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken token)
    {
        var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await work(connection, token).ConfigureAwait(false);
        }
    }

    // Server-reported errors (PostgresException) are answers, not broken connections, except shutdowns.
    private static bool IsBrokenConnection(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { InnerException: TimeoutException } => false,
        NpgsqlException or SocketException or IOException => true,
        _ => false,
    };

    private static string DescribeEndpoint(string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString ?? "");
        var host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        return host.Contains(',', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal)
            ? host // a host list or host:port pairs already say where
            : $"{host}:{builder.Port}";
    }
}
