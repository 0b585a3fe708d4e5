using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;
using Npgsql;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// The ticket store a bridged node uses: a first-time connection (I) is let in while <c>mychips.token_valid(token)</c>
/// says the token is good, without using it up. The site bridge then redeems it, as MyCHIPs does, with
/// <c>token_valid(token, cert)</c> when the ticket message is taken in. Tickets are issued as the PostgreSQL store
/// issues them.
/// </summary>
public sealed class SiteTicketStore : ITicketStore, IAsyncDisposable
{
    private const int MaxTokenLength = 200;
    private readonly NpgsqlDataSource _database;
    private readonly PostgresTicketStore _issuer;
    private readonly NpgsqlDataSource? _ownedDataSource;

    public SiteTicketStore(NpgsqlDataSource database, PostgresKeyStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _issuer = new PostgresTicketStore(database, options);
    }

    private SiteTicketStore(NpgsqlDataSource owned, bool owns) : this(owned) => _ownedDataSource = owns ? owned : null;

    /// <summary>A store over its own connection to the site database (closed when the store is disposed).</summary>
    public static SiteTicketStore Create(string connectionString) =>
        new(MyChipsDatabase.CreateDataSource(connectionString), owns: true);

    public ValueTask<ConnectionTicket> IssueAsync(TicketRequest request, CancellationToken cancellationToken = default) =>
        _issuer.IssueAsync(request, cancellationToken);

    public async ValueTask<TicketRedemption> RedeemAsync(TicketPresentation presentation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        if (string.IsNullOrEmpty(presentation.Token) || presentation.Token.Length > MaxTokenLength)
            return TicketRedemption.Reject(TicketRejection.UnknownToken);
        await using var command = _database.CreateCommand(
            "select mychips.token_valid($1), v.token is null, v.expired, v.used is not null, v.chad::text " +
            "from (select 1) one left join mychips.tokens_v v on v.token = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = presentation.Token });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0) || reader.GetBoolean(1))
            return TicketRedemption.Reject(TicketRejection.UnknownToken);
        if (reader.GetBoolean(0) && IssuerOf(reader.GetString(4)) is { } issuer) return TicketRedemption.Accept(issuer);
        return TicketRedemption.Reject(reader.GetBoolean(2) ? TicketRejection.Expired
            : reader.GetBoolean(3) ? TicketRejection.AlreadyUsed : TicketRejection.TallyNotDraft);
    }

    public async ValueTask DisposeAsync()
    {
        await _issuer.DisposeAsync().ConfigureAwait(false);
        if (_ownedDataSource is not null) await _ownedDataSource.DisposeAsync().ConfigureAwait(false);
    }

    private static ChipAddress? IssuerOf(string chad)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(chad);
        return ChipAddress.TryParse($"{json?["cuid"]}:{json?["agent"]}@{json?["host"]}:{json?["port"]}", out var address) ? address : null;
    }
}
