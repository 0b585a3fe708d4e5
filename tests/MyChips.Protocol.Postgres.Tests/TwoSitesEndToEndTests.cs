using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

/// <summary>Two nodes, each with its own database: a ticket connection first, then a later N+KK connection.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoSitesEndToEndTests(PostgresFixture fixture)
{
    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.Raw)]
    public async Task A_ticket_connection_then_a_later_known_key_connection(PeerMode mode)
    {
        await using var a = await Site.StartAsync(fixture.Server, mode);
        await using var b = await Site.StartAsync(fixture.Server, mode);
        var b1 = await b.AddUserAsync("b1");
        var ticket = await b.Tickets.IssueAsync(new TicketRequest(b1, TimeSpan.FromHours(1)));

        // A knows only the ticket (as it would from a QR code); B's database knows nothing of A.
        var fromQr = ConnectionTicket.ParseUri(ticket.ToUri());
        await a.Node.SendAsync(PeerDestination.From(fromQr.Chad), Json("""{"target":"tally","action":"ticket"}"""), fromQr).WaitAsync(Signals.Patience);
        var first = await b.ReceiveAsync();
        Assert.Equal(a.Agent, first.From);
        Assert.NotNull(await b.Db.ScalarAsync("select used from mychips.tokens where token = $1", ticket.Token));

        // The tally makes each site record the other's agent; then the first connection ends.
        await MyChipsDatabase.UpsertAgentAsync(a.Db.DataSource, b.Key.ToRecord() with { Port = b.Port });
        await MyChipsDatabase.UpsertAgentAsync(b.Db.DataSource, a.Key.ToRecord() with { Port = a.Port });
        var closed = b.ClosedAsync();
        a.Node.Disconnect(b.Agent);
        await closed;

        await a.Node.SendAsync(b.Agent, Json("""{"target":"tally","action":"later"}""")).WaitAsync(Signals.Patience);
        var later = await b.ReceiveAsync();
        Assert.Equal(a.Agent, later.From);
        Assert.NotEqual(first.ConnectionId, later.ConnectionId);
        Assert.Contains("later", later.JsonText, StringComparison.Ordinal);

        await b.Node.SendAsync(a.Agent, Json("""{"target":"tally","action":"reply"}""")).WaitAsync(Signals.Patience);
        Assert.Contains("reply", (await a.ReceiveAsync()).JsonText, StringComparison.Ordinal);

        // The ticket is spent: a second first-time connection with it is refused.
        Assert.Equal(TicketRejection.AlreadyUsed, (await b.Tickets.RedeemAsync(new TicketPresentation(ticket.Token, a.Agent))).Rejection);
    }

    private static ReadOnlyMemory<byte> Json(string text) => Encoding.UTF8.GetBytes(text);

    private sealed class Site : IAsyncDisposable
    {
        private readonly TaskCompletionSource<bool> _inboundClosed = Signals.New<bool>();

        private Site(TestDatabase db, AgentKey key, PostgresKeyProvider keys, PostgresTicketStore tickets, PeerNode node)
        {
            Db = db;
            Key = key;
            Keys = keys;
            Tickets = tickets;
            Node = node;
            node.ConnectionStateChanged += (_, change) =>
            {
                if (change.State == ConnectionState.Closed && change.Direction == ConnectionDirection.Inbound) _inboundClosed.TrySetResult(true);
            };
        }

        public TestDatabase Db { get; }
        public AgentKey Key { get; }
        public PostgresKeyProvider Keys { get; }
        public PostgresTicketStore Tickets { get; }
        public PeerNode Node { get; }
        public AgentId Agent => Key.Agent;
        public int Port => Node.LocalEndPoint.Port;

        public static async Task<Site> StartAsync(PostgresServer server, PeerMode mode)
        {
            var db = await TestDatabase.CreateAsync(server);
            var key = AgentKey.Generate("127.0.0.1", 0);
            var keys = new PostgresKeyProvider(db.DataSource, db.Options);
            await keys.StartAsync();
            await keys.WhenListeningAsync().Within();
            var tickets = new PostgresTicketStore(db.DataSource, db.Options);
            var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, BlockList = BlockListOptions.Disabled }, keys, tickets);
            await node.StartAsync();
            // The site's own agent row, with the port it really listens on.
            await MyChipsDatabase.UpsertAgentAsync(db.DataSource, key.ToRecord() with { Port = node.LocalEndPoint.Port });
            return new Site(db, key, keys, tickets, node);
        }

        public async Task<ChipAddress> AddUserAsync(string cuid)
        {
            var address = new ChipAddress(cuid, Agent, "127.0.0.1", Port);
            await MyChipsDatabase.UpsertUserAsync(Db.DataSource, "p" + cuid, address);
            return address;
        }

        public Task ClosedAsync() => _inboundClosed.Task.WaitAsync(Signals.Patience);

        public async Task<PeerMessage> ReceiveAsync()
        {
            using var deadline = new CancellationTokenSource(Signals.Patience);
            return await Node.Messages.ReadAsync(deadline.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Keys.DisposeAsync();
            await Db.DisposeAsync();
            Key.Dispose();
        }
    }
}
