using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Tests.Keys;

public sealed class InMemoryTicketStoreTests
{
    private static readonly AgentId Site = AgentId.FromPublicKey(new byte[32]);
    private static readonly AgentId Visitor = AgentId.FromPublicKey(Enumerable.Repeat((byte)9, 32).ToArray());
    private static readonly ChipAddress Issuer = new("alice", Site, "127.0.0.1", 65430);
    private static readonly ChipAddress VisitorAddress = new("bob", Visitor, "127.0.0.1", 65431);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_ticket_works_once()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TimeSpan.FromHours(1)));

        var first = await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor));
        var second = await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor));

        Assert.True(first.Accepted);
        Assert.Equal(Issuer, first.Issuer);
        Assert.Equal(TicketRejection.AlreadyUsed, second.Rejection);
    }

    [Fact]
    public async Task An_expired_or_unknown_ticket_is_refused()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TimeSpan.FromMinutes(5)));
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TicketRejection.Expired, (await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor))).Rejection);
        Assert.Equal(TicketRejection.UnknownToken, (await store.RedeemAsync(new TicketPresentation("nope", Visitor))).Rejection);
    }

    [Fact]
    public async Task A_bound_ticket_accepts_only_its_presenter()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TimeSpan.FromHours(1), BoundTo: VisitorAddress));

        var stranger = await store.RedeemAsync(new TicketPresentation(ticket.Token, Site, Issuer));
        var bound = await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor, VisitorAddress));

        Assert.Equal(TicketRejection.WrongPresenter, stranger.Rejection);
        Assert.True(bound.Accepted);
    }

    [Fact]
    public async Task A_bound_ticket_refuses_its_address_claimed_by_another_agent()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TimeSpan.FromHours(1), BoundTo: VisitorAddress));

        var impostor = await store.RedeemAsync(new TicketPresentation(ticket.Token, Site, VisitorAddress));
        var bound = await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor, VisitorAddress));

        Assert.Equal(TicketRejection.WrongPresenter, impostor.Rejection);
        Assert.True(bound.Accepted);
    }

    [Fact]
    public async Task Of_many_racing_redemptions_exactly_one_wins()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TimeSpan.FromHours(1)));
        using var start = new ManualResetEventSlim();

        var racers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await store.RedeemAsync(new TicketPresentation(ticket.Token, Visitor));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(racers);

        Assert.Single(results, r => r.Accepted);
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(TicketRejection.AlreadyUsed, r.Rejection));
    }

    [Fact]
    public async Task An_issued_ticket_round_trips_through_json_and_uri()
    {
        var store = new InMemoryTicketStore(_time);
        var ticket = await store.IssueAsync(new TicketRequest(Issuer, TicketRequest.DefaultLifetime));

        Assert.Equal(ticket, ConnectionTicket.ParseJson(ticket.ToJson()));
        Assert.Equal(ticket, ConnectionTicket.ParseUri(ticket.ToUri()));
        Assert.StartsWith($"mychips:alice:{Site}@127.0.0.1:65430?token=", ticket.ToUri(), StringComparison.Ordinal);
        Assert.Contains("\"chad\":{\"cuid\":\"alice\"", ticket.ToJson(), StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ConnectionTicket.ParseUri("mychips:alice@x:1"));
        Assert.Throws<FormatException>(() => ConnectionTicket.ParseJson("{\"token\":\"t\"}"));
    }
}
