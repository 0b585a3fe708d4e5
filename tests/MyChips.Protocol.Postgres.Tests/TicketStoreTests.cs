using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class TicketStoreTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task An_issued_ticket_carries_token_expiry_and_the_issuers_address_in_json_and_uri()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var before = DateTimeOffset.UtcNow;

        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));

        Assert.Equal(issuer, ticket.Chad);
        Assert.InRange(ticket.Expires, before + Hour - TimeSpan.FromMinutes(5), before + Hour + TimeSpan.FromMinutes(5));
        Assert.Equal(0, ticket.Expires.Millisecond);
        Assert.Equal(ticket, ConnectionTicket.ParseJson(ticket.ToJson()));
        Assert.Equal(ticket, ConnectionTicket.ParseUri(ticket.ToUri()));
        Assert.Contains(issuer.Agent.ToString(), ticket.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuing_creates_a_draft_tally_and_a_token_row()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);

        var first = await store.IssueAsync(new TicketRequest(issuer, Hour));
        var second = await store.IssueAsync(new TicketRequest(issuer, Hour));

        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal("draft", await db.ScalarAsync(
            "select y.status from mychips.tokens t join mychips.tallies y on y.tally_ent = t.token_ent and y.tally_seq = t.tally_seq where t.token = $1",
            first.Token));
        Assert.Equal(2L, await db.ScalarAsync("select count(distinct tally_seq) from mychips.tokens where token_ent = 'palice'"));
    }

    [Fact]
    public async Task Tickets_issued_at_the_same_time_for_one_user_each_get_their_own_tally()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var start = Signals.New<bool>();

        var issues = Enumerable.Range(0, 8).Select(async _ =>
        {
            await start.Task;
            return await store.IssueAsync(new TicketRequest(issuer, Hour));
        }).ToArray();
        start.SetResult(true);
        var tickets = await Task.WhenAll(issues).Within();

        Assert.Equal(8, tickets.Select(t => t.Token).Distinct().Count());
        Assert.Equal(8L, await db.ScalarAsync("select count(distinct tally_seq) from mychips.tokens where token_ent = 'palice'"));
    }

    [Fact]
    public async Task A_ticket_is_accepted_once_with_the_issuers_address()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));
        var presenter = TestDatabase.NewAgent().Agent;

        var first = await store.RedeemAsync(new TicketPresentation(ticket.Token, presenter));
        var again = await store.RedeemAsync(new TicketPresentation(ticket.Token, presenter));

        Assert.True(first.Accepted);
        Assert.Equal(issuer, first.Issuer);
        Assert.Equal(TicketRejection.AlreadyUsed, again.Rejection);
        Assert.NotNull(await db.ScalarAsync("select used from mychips.tokens where token = $1", ticket.Token));
    }

    [Fact]
    public async Task An_expired_ticket_is_refused_and_stays_unused()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));
        await db.ExecuteAsync("update mychips.tokens set expires = localtimestamp - interval '1 second' where token = $1", ticket.Token);

        var redemption = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));

        Assert.Equal(TicketRejection.Expired, redemption.Rejection);
        Assert.Null(await db.ScalarAsync("select used from mychips.tokens where token = $1", ticket.Token));
    }

    [Fact]
    public async Task A_ticket_whose_tally_is_no_longer_a_draft_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));
        await db.ExecuteAsync(
            "update mychips.tallies y set status = 'open' from mychips.tokens t where t.token = $1 and y.tally_ent = t.token_ent and y.tally_seq = t.tally_seq",
            ticket.Token);

        var redemption = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));

        Assert.Equal(TicketRejection.TallyNotDraft, redemption.Rejection);
    }

    [Theory]
    [InlineData("no-such-token")]
    [InlineData("")]
    public async Task An_unknown_token_is_refused(string token)
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var store = new PostgresTicketStore(db.DataSource, db.Options);

        var redemption = await store.RedeemAsync(new TicketPresentation(token, TestDatabase.NewAgent().Agent));

        Assert.Equal(TicketRejection.UnknownToken, redemption.Rejection);
    }

    [Fact]
    public async Task A_very_long_token_is_refused_without_error()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var store = new PostgresTicketStore(db.DataSource, db.Options);

        var redemption = await store.RedeemAsync(new TicketPresentation(new string('x', 100_000), TestDatabase.NewAgent().Agent));

        Assert.Equal(TicketRejection.UnknownToken, redemption.Rejection);
    }

    [Fact]
    public async Task Racing_redemptions_of_one_token_give_exactly_one_success()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));
        const int racers = 16;
        var start = Signals.New<bool>();

        var attempts = Enumerable.Range(0, racers).Select(async _ =>
        {
            await start.Task;
            return await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));
        }).ToArray();
        start.SetResult(true);
        var results = await Task.WhenAll(attempts).Within();

        Assert.Single(results, r => r.Accepted);
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(TicketRejection.AlreadyUsed, r.Rejection));
    }

    [Fact]
    public async Task A_bound_ticket_is_accepted_only_from_the_address_it_is_bound_to()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var bob = TestDatabase.NewAgent();
        var bobAddress = new ChipAddress("bob", bob.Agent, bob.Host, bob.Port);
        var carol = TestDatabase.NewAgent();
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour, BoundTo: bobAddress));

        var anonymous = await store.RedeemAsync(new TicketPresentation(ticket.Token, bob.Agent));
        var other = await store.RedeemAsync(new TicketPresentation(ticket.Token, carol.Agent, new ChipAddress("carol", carol.Agent, carol.Host, carol.Port)));
        // Claiming Bob's address from another key is not believed.
        var impostor = await store.RedeemAsync(new TicketPresentation(ticket.Token, carol.Agent, bobAddress));
        var bound = await store.RedeemAsync(new TicketPresentation(ticket.Token, bob.Agent, bobAddress));

        Assert.Equal(TicketRejection.WrongPresenter, anonymous.Rejection);
        Assert.Equal(TicketRejection.WrongPresenter, other.Rejection);
        Assert.Equal(TicketRejection.WrongPresenter, impostor.Rejection);
        Assert.True(bound.Accepted);
    }

    [Fact]
    public async Task A_reusable_token_is_accepted_until_it_expires()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);
        var ticket = await store.IssueAsync(new TicketRequest(issuer, Hour));
        await db.ExecuteAsync("update mychips.tokens set reuse = true where token = $1", ticket.Token);

        var first = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));
        var second = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));
        await db.ExecuteAsync("update mychips.tokens set expires = localtimestamp - interval '1 second' where token = $1", ticket.Token);
        var late = await store.RedeemAsync(new TicketPresentation(ticket.Token, TestDatabase.NewAgent().Agent));

        Assert.True(first.Accepted);
        Assert.True(second.Accepted);
        Assert.Equal(TicketRejection.Expired, late.Rejection);
    }

    [Fact]
    public async Task Issuing_for_someone_who_is_not_a_user_of_the_site_is_a_clear_error()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var stranger = TestDatabase.NewAgent();
        var store = new PostgresTicketStore(db.DataSource, db.Options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await store.IssueAsync(new TicketRequest(new ChipAddress("zed", stranger.Agent, stranger.Host, stranger.Port), Hour)));

        Assert.Contains("'zed'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync("select count(*) from mychips.tallies"));
    }

    [Fact]
    public async Task A_bound_ticket_needs_the_bound_address_column()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var options = db.Options with { Names = db.Names with { TokenBoundChadColumn = null } };
        var store = new PostgresTicketStore(db.DataSource, options);

        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await store.IssueAsync(new TicketRequest(issuer, Hour, BoundTo: issuer)));
        var unbound = await store.IssueAsync(new TicketRequest(issuer, Hour));
        Assert.True((await store.RedeemAsync(new TicketPresentation(unbound.Token, TestDatabase.NewAgent().Agent))).Accepted);
    }

    [Fact]
    public async Task A_lifetime_that_is_not_positive_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var issuer = await db.AddUserAsync("alice");
        var store = new PostgresTicketStore(db.DataSource, db.Options);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.IssueAsync(new TicketRequest(issuer, TimeSpan.Zero)));
    }
}
