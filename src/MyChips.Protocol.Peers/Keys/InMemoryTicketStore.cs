using System.Buffers.Text;
using System.Security.Cryptography;

namespace MyChips.Protocol.Keys;

/// <summary>The embedded default ticket store: tickets issued or added in code, kept in memory.</summary>
public sealed class InMemoryTicketStore(TimeProvider? timeProvider = null) : ITicketStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<string, Entry> _tickets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ValueTask<ConnectionTicket> IssueAsync(TicketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Lifetime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(request), "A ticket's lifetime must be positive.");
        // Whole seconds, so the ticket's URI form (unix seconds) names the same expiry.
        var expires = DateTimeOffset.FromUnixTimeSeconds((_time.GetUtcNow() + request.Lifetime).ToUnixTimeSeconds());
        var ticket = new ConnectionTicket(NewToken(), expires, request.Issuer);
        Add(ticket, request.BoundTo);
        return ValueTask.FromResult(ticket);
    }

    /// <summary>Accepts a ticket made elsewhere (for example a token given on the command line).</summary>
    public void Add(ConnectionTicket ticket, ChipAddress? boundTo = null)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        lock (_gate)
        {
            if (!_tickets.TryAdd(ticket.Token, new Entry(ticket, boundTo)))
                throw new InvalidOperationException("A ticket with this token exists already.");
        }
    }

    public ValueTask<TicketRedemption> RedeemAsync(TicketPresentation presentation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        lock (_gate)
        {
            if (!_tickets.TryGetValue(presentation.Token, out var entry))
                return ValueTask.FromResult(TicketRedemption.Reject(TicketRejection.UnknownToken));
            if (entry.Used)
                return ValueTask.FromResult(TicketRedemption.Reject(TicketRejection.AlreadyUsed));
            if (_time.GetUtcNow() >= entry.Ticket.Expires)
                return ValueTask.FromResult(TicketRedemption.Reject(TicketRejection.Expired));
            // A bound ticket takes the claimed address only from the agent that address names (the one the
            // handshake authenticated), so nobody can present someone else's address.
            if (entry.BoundTo is not null
                && (entry.BoundTo != presentation.PresenterAddress || presentation.PresenterAddress.Agent != presentation.Presenter))
                return ValueTask.FromResult(TicketRedemption.Reject(TicketRejection.WrongPresenter));
            entry.Used = true;
            return ValueTask.FromResult(TicketRedemption.Accept(entry.Ticket.Chad));
        }
    }

    internal static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));

    private sealed class Entry(ConnectionTicket ticket, ChipAddress? boundTo)
    {
        public ConnectionTicket Ticket { get; } = ticket;
        public ChipAddress? BoundTo { get; } = boundTo;
        public bool Used { get; set; }
    }
}
