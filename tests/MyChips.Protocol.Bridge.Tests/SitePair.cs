using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>
/// Two agents, A (user alice) and B (user bob), each with its bridge: on two site databases, or on one database
/// that both agents serve (how MyCHIPs spreads a site's users over agents).
/// </summary>
internal sealed class SitePair : IAsyncDisposable
{
    private SitePair(BridgeSite a, BridgeSite b) => (A, B) = (a, b);

    public BridgeSite A { get; private set; }
    public BridgeSite B { get; private set; }
    public const string Alice = "palice";
    public const string Bob = "pbob";

    public static async Task<SitePair> StartAsync(PostgresServer server, PeerMode mode, bool oneDatabase, SiteBridgeOptions? options = null)
    {
        var dbA = await BridgeSite.CreateDatabaseAsync(server);
        var dbB = oneDatabase ? dbA : await BridgeSite.CreateDatabaseAsync(server);
        var a = await BridgeSite.StartAsync(dbA, mode, options);
        var b = await BridgeSite.StartAsync(dbB, mode, options);
        await a.KnowAsync(b);
        await b.KnowAsync(a);
        await a.AddUserAsync("alice");
        await b.AddUserAsync("bob");
        return new SitePair(a, b);
    }

    /// <summary>An open tally between alice (stock) and bob (foil), as both sides record it once opened.</summary>
    public async Task<Guid> OpenTallyAsync()
    {
        var uuid = Guid.NewGuid();
        var date = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        const string insert =
            "insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, tally_type, tally_date, contract, status, part_cert, hold_sig, part_sig, chain_conf) " +
            "values ($1, 1, $2, $3::tally_side, $4, '{\"name\":\"deluxe\"}', 'open', $5::jsonb, 'signed', 'signed', 0)";
        var aliceCert = await A.ScalarTextAsync("select mychips.user_cert('palice')::text");
        var bobCert = await B.ScalarTextAsync("select mychips.user_cert('pbob')::text");
        await A.ExecuteAsync(insert, Alice, uuid, "stock", date, bobCert!);
        await B.ExecuteAsync(insert, Bob, uuid, "foil", date, aliceCert!);
        Assert.Equal(await A.ScalarTextAsync("select digest from mychips.tallies where tally_ent = 'palice'"),
            await B.ScalarTextAsync("select digest from mychips.tallies where tally_ent = 'pbob'"));
        return uuid;
    }

    /// <summary>Stops one agent (A or B) and starts it again on the same key, port, database and options.</summary>
    public async Task RestartAsync(bool agentA, Func<Task> whileDown)
    {
        var site = agentA ? A : B;
        var (port, mode) = (site.Port, site.Node.Options.Mode);
        await site.DisposeAsync();
        try
        {
            await whileDown();
        }
        finally
        {
            var again = await BridgeSite.StartWithKeyAsync(site.Db, mode, site.Key, port, site.Options, before: site);
            if (agentA) A = again; else B = again;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
