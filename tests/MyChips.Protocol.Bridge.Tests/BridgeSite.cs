using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres;
using Npgsql;

namespace MyChips.Protocol.Bridge.Tests;

/// <summary>One agent of a site: its node and bridge over a site database (possibly shared with other agents).</summary>
internal sealed class BridgeSite : IAsyncDisposable
{
    // A guard against a hang, not a measurement: every awaited outcome normally comes within milliseconds.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Nothing is re-sent by age or timer unless a test asks for it.
    public static readonly SiteBridgeOptions Quiet = new()
    {
        RetryAge = TimeSpan.FromHours(1), RetryDelay = TimeSpan.FromHours(1), NoticeInterval = TimeSpan.FromHours(1),
    };

    private readonly ConcurrentQueue<(Func<BridgeOutcome, bool> Match, TaskCompletionSource<BridgeOutcome> Done)> _waiters = new();
    private readonly ConcurrentDictionary<string, ECDsa> _signingKeys;
    private readonly PostgresKeyProvider _keys;
    private readonly SiteTicketStore _tickets;

    private BridgeSite(NpgsqlDataSource db, AgentKey key, PostgresKeyProvider keys, SiteTicketStore tickets, PeerNode node,
        SiteBridge bridge, SiteBridgeOptions options, ConcurrentDictionary<string, ECDsa> signingKeys)
    {
        Options = options;
        Db = db;
        Key = key;
        _keys = keys;
        _tickets = tickets;
        _signingKeys = signingKeys;
        Node = node;
        Bridge = bridge;
        bridge.Handled += (_, outcome) =>
        {
            Outcomes.Enqueue(outcome);
            foreach (var (match, done) in _waiters)
                if (match(outcome)) done.TrySetResult(outcome);
        };
    }

    public NpgsqlDataSource Db { get; }
    public AgentKey Key { get; }
    public PeerNode Node { get; }
    public SiteBridge Bridge { get; }
    public SiteBridgeOptions Options { get; }
    public AgentId Agent => Key.Agent;
    public int Port => Node.LocalEndPoint.Port;
    public ConcurrentQueue<BridgeOutcome> Outcomes { get; } = new();

    /// <summary>A new site database with the store's schema and the bridge's schema subset.</summary>
    public static async Task<NpgsqlDataSource> CreateDatabaseAsync(Testing.PostgresServer server)
    {
        var db = MyChipsDatabase.CreateDataSource(await server.CreateDatabaseAsync("bridge"));
        await MyChipsDatabase.ApplySchemaAsync(db);
        await BridgeSchema.ApplyAsync(db);
        return db;
    }

    public static Task<BridgeSite> StartAsync(NpgsqlDataSource db, PeerMode mode, SiteBridgeOptions? options = null) =>
        StartWithKeyAsync(db, mode, AgentKey.Generate("127.0.0.1", 0), 0, options);

    /// <summary>Starts an agent; a restarted one passes the signing keys of its users on.</summary>
    public static async Task<BridgeSite> StartWithKeyAsync(NpgsqlDataSource db, PeerMode mode, AgentKey key, int port,
        SiteBridgeOptions? options = null, BridgeSite? before = null)
    {
        var keys = new PostgresKeyProvider(db);
        await keys.StartAsync();
        await keys.WhenListeningAsync().WaitAsync(Patience);
        var tickets = new SiteTicketStore(db);
        var node = new PeerNode(new PeerNodeOptions
        {
            LocalKey = key,
            Mode = mode,
            BlockList = BlockListOptions.Disabled,
            ListenEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port),
        }, keys, tickets);
        await node.StartAsync();
        await MyChipsDatabase.UpsertAgentAsync(db, key.ToRecord() with { Port = node.LocalEndPoint.Port });
        options ??= Quiet;
        var bridge = new SiteBridge(node, db, options);
        var site = new BridgeSite(db, key, keys, tickets, node, bridge, options, before?._signingKeys ?? new());
        await bridge.StartAsync();
        await bridge.WhenListeningAsync().WaitAsync(Patience);
        return site;
    }

    /// <summary>Completes with the first outcome (from now on) that matches.</summary>
    public Task<BridgeOutcome> NextAsync(Func<BridgeOutcome, bool> match)
    {
        var done = new TaskCompletionSource<BridgeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((match, done));
        return done.Task.WaitAsync(Patience);
    }

    /// <summary>The next (or <paramref name="count"/>th from now) accepted outcome of one direction, target and action.</summary>
    public Task<BridgeOutcome> AcceptedAsync(BridgeDirection direction, string target, string action, int count = 1)
    {
        var seen = 0;
        return NextAsync(o => o.Direction == direction && o.Target == target && o.Action == action && o.Accepted
                              && Interlocked.Increment(ref seen) >= count);
    }

    /// <summary>A user of this agent (entity "p" + cuid) with a P-521 signing key, its public half in users.user_psig.</summary>
    public async Task<string> AddUserAsync(string cuid)
    {
        var entity = "p" + cuid;
        await MyChipsDatabase.UpsertUserAsync(Db, entity, new ChipAddress(cuid, Agent, Key.Host, Port));
        var signing = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        _signingKeys[entity] = signing;
        await ExecuteAsync("update mychips.users set user_psig = $2::jsonb where user_ent = $1", entity,
            MyChipsSignature.PublicJwk(signing).ToJsonString());
        return entity;
    }

    /// <summary>The user's signature of its tally as it stands (the tally's JSON without signatures).</summary>
    public async Task<string> SignTallyAsync(string entity, Guid uuid)
    {
        var json = (string)(await ScalarAsync("select mychips.tally_json(t)::text from mychips.tallies t where tally_ent = $1 and tally_uuid = $2", entity, uuid))!;
        return MyChipsSignature.Sign(_signingKeys[entity], JsonNode.Parse(json));
    }

    /// <summary>The user's signature of a chit (its by, date, memo, ref, tally, type, units and uuid).</summary>
    public async Task<string> SignChitAsync(string entity, Guid chit)
    {
        var json = (string)(await ScalarAsync(
            "select mychips.chit_json_c(c, t)::text from mychips.chits c join mychips.tallies t on t.tally_ent = c.chit_ent and t.tally_seq = c.chit_seq where c.chit_ent = $1 and c.chit_uuid = $2",
            entity, chit))!;
        return MyChipsSignature.Sign(_signingKeys[entity], JsonNode.Parse(json));
    }

    /// <summary>The user's signature of any content.</summary>
    public string Sign(string entity, JsonNode content) => MyChipsSignature.Sign(_signingKeys[entity], content);

    /// <summary>Makes another agent (of another site) known here, as a tally with it would.</summary>
    public Task KnowAsync(BridgeSite other, int? port = null) =>
        MyChipsDatabase.UpsertAgentAsync(Db, other.Key.ToRecord() with { Port = port ?? other.Port });

    public Task<string?> StateAsync(string entity, Guid uuid) =>
        ScalarTextAsync("select mychips.tally_state(t) from mychips.tallies t where tally_ent = $1 and tally_uuid = $2", entity, uuid);

    public async Task<string?> ScalarTextAsync(string sql, params object[] values) => (await ScalarAsync(sql, values))?.ToString();

    public async Task<object?> ScalarAsync(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the bridge and node (the database stays), keeping the signing keys for a restart.</summary>
    public async ValueTask DisposeAsync()
    {
        await Bridge.DisposeAsync();
        await Node.DisposeAsync();
        await _keys.DisposeAsync();
        await _tickets.DisposeAsync();
    }
}
