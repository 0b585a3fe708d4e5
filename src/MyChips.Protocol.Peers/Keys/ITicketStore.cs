namespace MyChips.Protocol.Keys;

/// <summary>
/// Issues connection tickets and redeems them on first-time (<c>I</c>) connections. A ticket is good
/// once: of several connections racing with one token, exactly one is accepted.
/// </summary>
public interface ITicketStore
{
    /// <summary>Creates a ticket for the given issuing user's address.</summary>
    ValueTask<ConnectionTicket> IssueAsync(TicketRequest request, CancellationToken cancellationToken = default);

    /// <summary>Consumes the token if it is valid for this presenter; says why not otherwise.</summary>
    /// <exception cref="KeyStoreUnavailableException">The store could not answer in time.</exception>
    ValueTask<TicketRedemption> RedeemAsync(TicketPresentation presentation, CancellationToken cancellationToken = default);
}

/// <summary>What to issue: for whom, for how long, and optionally for which presenter only.</summary>
public sealed record TicketRequest(ChipAddress Issuer, TimeSpan Lifetime, ChipAddress? BoundTo = null)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(48);
}

/// <summary>A token presented by a connecting agent, with the CHIP address it acts for when it gave one.</summary>
public sealed record TicketPresentation(string Token, AgentId Presenter, ChipAddress? PresenterAddress = null);

public enum TicketRejection
{
    None,
    UnknownToken,
    Expired,
    AlreadyUsed,
    /// <summary>The tally the ticket was issued for is no longer a draft.</summary>
    TallyNotDraft,
    /// <summary>The ticket is bound to another CHIP address than the presenter's.</summary>
    WrongPresenter,
}

/// <summary>The outcome of a redemption: accepted, or the reason it was refused.</summary>
public readonly record struct TicketRedemption(TicketRejection Rejection, ChipAddress? Issuer)
{
    public bool Accepted => Rejection == TicketRejection.None;

    public static TicketRedemption Accept(ChipAddress issuer) => new(TicketRejection.None, issuer);

    public static TicketRedemption Reject(TicketRejection reason) =>
        reason == TicketRejection.None ? throw new ArgumentOutOfRangeException(nameof(reason)) : new(reason, null);
}
