using System.Collections.Concurrent;
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

    private readonly ConcurrentQueue<(Func<BridgeOutcome, bool> Match, TaskCompletionSource<BridgeOutcome> Done)> _waiters = new();
    private readonly PostgresKeyProvider _keys;

    private BridgeSite(NpgsqlDataSource db, AgentKey key, PostgresKeyProvider keys, PeerNode node, SiteBridge bridge)
    {
        Db = db;
        Key = key;
        _keys = keys;
        Node = node;
        Bridge = bridge;
        bridge.Handled += (_, outcome) =>
        {
            foreach (var (match, done) in _waiters)
                if (match(outcome)) done.TrySetResult(outcome);
        };
    }

    public NpgsqlDataSource Db { get; }
    public AgentKey Key { get; }
    public PeerNode Node { get; }
    public SiteBridge Bridge { get; }
    public AgentId Agent => Key.Agent;

    /// <summary>A new site database with the store's schema and the bridge's schema subset.</summary>
    public static async Task<NpgsqlDataSource> CreateDatabaseAsync(Testing.PostgresServer server)
    {
        var db = MyChipsDatabase.CreateDataSource(await server.CreateDatabaseAsync("bridge"));
        await MyChipsDatabase.ApplySchemaAsync(db);
        await BridgeSchema.ApplyAsync(db);
        return db;
    }

    public static Task<BridgeSite> StartAsync(NpgsqlDataSource db, PeerMode mode) =>
        StartWithKeyAsync(db, mode, AgentKey.Generate("127.0.0.1", 0), 0);

    public static async Task<BridgeSite> StartWithKeyAsync(NpgsqlDataSource db, PeerMode mode, AgentKey key, int port,
        SiteBridgeOptions? options = null)
    {
        var keys = new PostgresKeyProvider(db);
        await keys.StartAsync();
        await keys.WhenListeningAsync().WaitAsync(Patience);
        var node = new PeerNode(new PeerNodeOptions
        {
            LocalKey = key,
            Mode = mode,
            BlockList = BlockListOptions.Disabled,
            ListenEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port),
        }, keys, new PostgresTicketStore(db));
        await node.StartAsync();
        await MyChipsDatabase.UpsertAgentAsync(db, key.ToRecord() with { Port = node.LocalEndPoint.Port });
        var bridge = new SiteBridge(node, db, options ?? new SiteBridgeOptions { RetryAge = TimeSpan.FromHours(1), RetryDelay = TimeSpan.FromHours(1), NoticeInterval = TimeSpan.FromHours(1) });
        await bridge.StartAsync();
        await bridge.WhenListeningAsync().WaitAsync(Patience);
        return new BridgeSite(db, key, keys, node, bridge);
    }

    /// <summary>Completes with the first outcome (from now on) that matches.</summary>
    public Task<BridgeOutcome> NextAsync(Func<BridgeOutcome, bool> match)
    {
        var done = new TaskCompletionSource<BridgeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((match, done));
        return done.Task.WaitAsync(Patience);
    }

    /// <summary>A user of this agent.</summary>
    public async Task<ChipAddress> AddUserAsync(string cuid)
    {
        var address = new ChipAddress(cuid, Agent, Key.Host, Node.LocalEndPoint.Port);
        await MyChipsDatabase.UpsertUserAsync(Db, "p" + cuid, address);
        return address;
    }

    /// <summary>Makes another agent (of another site) known here, as a tally with it would.</summary>
    public Task KnowAsync(BridgeSite other, int? port = null) =>
        MyChipsDatabase.UpsertAgentAsync(Db, other.Key.ToRecord() with { Port = port ?? other.Node.LocalEndPoint.Port });

    public async Task<object?> ScalarAsync(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public async ValueTask DisposeAsync()
    {
        await Bridge.DisposeAsync();
        await Node.DisposeAsync();
        await _keys.DisposeAsync();
    }
}
