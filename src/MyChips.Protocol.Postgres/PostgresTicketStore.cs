using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyChips.Protocol.Keys;
using Npgsql;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Connection tickets kept in the MyCHIPs tokens table. Issuing creates a draft tally for the issuing
/// user and a token for it; redeeming consumes the token in one UPDATE when it is not expired, not used
/// (unless reusable), its tally is still a draft and, when bound, the presenter is the one it is bound
/// to. Every call ends within <see cref="PostgresKeyStoreOptions.OperationTimeout"/>, with an answer or
/// a <see cref="KeyStoreUnavailableException"/>: a ticket that could not be checked is never accepted.
/// </summary>
public sealed class PostgresTicketStore : ITicketStore, IAsyncDisposable
{
    // Longer tokens are refused without asking the database; MyCHIPs tokens are far shorter.
    private const int MaxTokenLength = 512;

    private readonly BoundedDatabase _database;
    private readonly PostgresKeyStoreOptions _options;
    private readonly TicketSql _sql;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource? _ownedDataSource;

    /// <param name="dataSource">Where the tokens, tallies, users and agents tables are; not disposed by this store.</param>
    public PostgresTicketStore(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options = null,
        ILogger<PostgresTicketStore>? logger = null, TimeProvider? timeProvider = null)
        : this(dataSource, options, logger, timeProvider, ownsDataSource: false)
    {
    }

    private PostgresTicketStore(NpgsqlDataSource dataSource, PostgresKeyStoreOptions? options, ILogger? logger,
        TimeProvider? timeProvider, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _options = options ?? PostgresKeyStoreOptions.Default;
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _database = new BoundedDatabase(dataSource, _options.OperationTimeout, timeProvider ?? TimeProvider.System);
        _sql = new TicketSql(_options.Names);
        _ownedDataSource = ownsDataSource ? dataSource : null;
    }

    /// <summary>A store with its own data source, made from a connection string (see <see cref="MyChipsDatabase.CreateDataSource"/>).</summary>
    public static PostgresTicketStore Create(string connectionString, PostgresKeyStoreOptions? options = null,
        ILogger<PostgresTicketStore>? logger = null, TimeProvider? timeProvider = null)
    {
        options ??= PostgresKeyStoreOptions.Default;
        return new PostgresTicketStore(MyChipsDatabase.CreateDataSource(connectionString, options), options, logger, timeProvider, ownsDataSource: true);
    }

    /// <summary>
    /// Issues a ticket for a user of this site (a row of the users table with the issuer's cuid and agent).
    /// </summary>
    /// <exception cref="InvalidOperationException">The issuer is not a user of this site.</exception>
    /// <exception cref="NotSupportedException">A bound ticket was asked for and no bound-address column is configured.</exception>
    public async ValueTask<ConnectionTicket> IssueAsync(TicketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Lifetime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(request), "A ticket's lifetime must be positive.");
        if (request.BoundTo is not null && _options.Names.TokenBoundChadColumn is null)
            throw new NotSupportedException(
                $"Tickets cannot be bound to an address: {nameof(MyChipsTableNames)}.{nameof(MyChipsTableNames.TokenBoundChadColumn)} is not set.");
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));
        var expires = await _database.RunAsync("issue", $"issue a ticket for {request.Issuer}",
            (connection, ct) => InsertAsync(connection, request, token, ct), cancellationToken).ConfigureAwait(false);
        return new ConnectionTicket(token, expires, request.Issuer);
    }

    public async ValueTask<TicketRedemption> RedeemAsync(TicketPresentation presentation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        var redemption = string.IsNullOrEmpty(presentation.Token) || presentation.Token.Length > MaxTokenLength
            ? TicketRedemption.Reject(TicketRejection.UnknownToken)
            : await _database.RunAsync("redeem", "redeem a ticket", (connection, ct) => ConsumeAsync(connection, presentation, ct),
                cancellationToken).ConfigureAwait(false);
        KeyStoreMetrics.Redemption(redemption.Rejection);
        return redemption;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownedDataSource is not null) await _ownedDataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<DateTimeOffset> InsertAsync(NpgsqlConnection connection, TicketRequest request, string token, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var issuer = await ScalarAsync(connection, _sql.FindIssuer, ct, request.Issuer.Cuid, request.Issuer.Agent.ToString()).ConfigureAwait(false)
                     ?? throw new InvalidOperationException(
                         $"'{request.Issuer.Cuid}' at agent {request.Issuer.Agent} is not a user of this site " +
                         $"(no row in {_options.Names.Schema}.{_options.Names.UsersTable}), so it cannot issue tickets.");
        var tallySeq = await ScalarAsync(connection, _sql.InsertDraftTally, ct, issuer).ConfigureAwait(false);
        object[] values = request.BoundTo is null
            ? [issuer, token, request.Lifetime, tallySeq!]
            : [issuer, token, request.Lifetime, tallySeq!, request.BoundTo.ToString()];
        if (_options.Names.TokenBoundChadColumn is not null && request.BoundTo is null)
            values = [.. values, DBNull.Value];
        var expires = (DateTime)(await ScalarAsync(connection, _sql.InsertToken, ct, values).ConfigureAwait(false))!;
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc));
    }

    private async Task<TicketRedemption> ConsumeAsync(NpgsqlConnection connection, TicketPresentation presentation, CancellationToken ct)
    {
        object[] values = _options.Names.TokenBoundChadColumn is null
            ? [presentation.Token]
            : [presentation.Token, (object?)ClaimedAddress(presentation) ?? DBNull.Value];
        await using (var consume = Command(connection, _sql.Consume, values))
        await using (var reader = await consume.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var issuer = ReadIssuer(reader);
                if (issuer is not null) return TicketRedemption.Accept(issuer);
                return TicketRedemption.Reject(TicketRejection.UnknownToken);
            }
        }
        return await ClassifyAsync(connection, presentation, ct).ConfigureAwait(false);
    }

    // A bound ticket is for one CHIP address, and an address is only believed from the agent it names:
    // the presenter's agent id is the key it authenticated with.
    private static string? ClaimedAddress(TicketPresentation presentation) =>
        presentation.PresenterAddress is { } address && address.Agent == presentation.Presenter ? address.ToString() : null;

    private ChipAddress? ReadIssuer(NpgsqlDataReader reader)
    {
        var cuid = reader.GetString(0);
        var agentText = reader.GetString(1);
        var host = reader.GetString(2);
        var port = reader.GetInt32(3);
        if (AgentId.TryParse(agentText, out var agent) && port is >= 1 and <= 65535) return new ChipAddress(cuid, agent, host, port);
        _logger.LogWarning("A ticket was consumed but its issuer '{Cuid}' has an unusable agent row ({Agent}, port {Port}); refused.",
            cuid, agentText, port);
        return null;
    }

    private async Task<TicketRedemption> ClassifyAsync(NpgsqlConnection connection, TicketPresentation presentation, CancellationToken ct)
    {
        await using var classify = Command(connection, _sql.Classify, presentation.Token);
        await using var reader = await classify.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return TicketRedemption.Reject(TicketRejection.UnknownToken);
        var used = !reader.IsDBNull(0) && reader.GetBoolean(0);
        var live = !reader.IsDBNull(1) && reader.GetBoolean(1);
        var draft = reader.GetBoolean(2);
        var boundTo = reader.IsDBNull(3) ? null : reader.GetString(3);
        var hasIssuer = reader.GetBoolean(4);
        if (used) return TicketRedemption.Reject(TicketRejection.AlreadyUsed);
        if (!live) return TicketRedemption.Reject(TicketRejection.Expired);
        if (!draft) return TicketRedemption.Reject(TicketRejection.TallyNotDraft);
        if (boundTo is not null && boundTo != ClaimedAddress(presentation))
            return TicketRedemption.Reject(TicketRejection.WrongPresenter);
        if (!hasIssuer)
            _logger.LogWarning("A ticket's issuing user has no agent row, so the ticket cannot be honoured.");
        // Valid-looking now but refused a moment ago: a concurrent change; refuse rather than guess.
        return TicketRedemption.Reject(hasIssuer ? TicketRejection.AlreadyUsed : TicketRejection.UnknownToken);
    }

    private async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        var result = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return result is DBNull ? null : result;
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _database.CommandTimeoutSeconds };
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
