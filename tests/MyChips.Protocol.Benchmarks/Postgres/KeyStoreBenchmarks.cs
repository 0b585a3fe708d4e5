using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;
using MyChips.Protocol.Testing;
using Npgsql;

namespace MyChips.Protocol.Benchmarks.Postgres;

/// <summary>
/// What a responder pays per connection for its key store: an agent lookup from the NOTIFY-fresh cache
/// or from the database, and a ticket issued then redeemed (one UPDATE ... RETURNING), on a throwaway
/// local PostgreSQL server (fsync off, loopback).
/// </summary>
[MemoryDiagnoser]
public class KeyStoreBenchmarks
{
    private PostgresServer _server = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgresKeyProvider _cached = null!;
    private PostgresKeyProvider _uncached = null!;
    private PostgresTicketStore _tickets = null!;
    private AgentId _agent;
    private TicketRequest _request = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _server = await PostgresServer.StartAsync();
        var options = new PostgresKeyStoreOptions();
        _dataSource = MyChipsDatabase.CreateDataSource(await _server.CreateDatabaseAsync("bench"), options);
        await MyChipsDatabase.ApplySchemaAsync(_dataSource);
        var site = AgentRecord.FromId(AgentId.FromPublicKey(RandomNumberGenerator.GetBytes(32)), "127.0.0.1", 65000);
        await MyChipsDatabase.UpsertAgentAsync(_dataSource, site);
        var issuer = new ChipAddress("issuer", site.Agent, site.Host, site.Port);
        await MyChipsDatabase.UpsertUserAsync(_dataSource, "pissuer", issuer);
        _agent = site.Agent;
        _request = new TicketRequest(issuer, TimeSpan.FromHours(1));
        _cached = new PostgresKeyProvider(_dataSource, options);
        await _cached.StartAsync();
        await _cached.WhenListeningAsync();
        _uncached = new PostgresKeyProvider(_dataSource, options with { CacheAgents = false });
        _tickets = new PostgresTicketStore(_dataSource, options);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _cached.DisposeAsync();
        await _uncached.DisposeAsync();
        await _dataSource.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark]
    public ValueTask<AgentRecord?> LookupFromCache() => _cached.FindAgentAsync(_agent);

    [Benchmark]
    public ValueTask<AgentRecord?> LookupFromDatabase() => _uncached.FindAgentAsync(_agent);

    [Benchmark]
    public async Task<TicketRedemption> IssueThenRedeem()
    {
        var ticket = await _tickets.IssueAsync(_request);
        return await _tickets.RedeemAsync(new TicketPresentation(ticket.Token, _agent));
    }

    [Benchmark]
    public ValueTask<TicketRedemption> RedeemUnknownToken() => _tickets.RedeemAsync(new TicketPresentation("no-such-token", _agent));
}
