using System.Security.Cryptography;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres.Tests.Fixtures;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Postgres.Tests;

/// <summary>The replay guard in the site's database: an ephemeral key is accepted once, across guards and restarts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplayGuardTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_key_is_accepted_once_and_refused_by_a_new_guard_on_the_same_database()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var key = RandomNumberGenerator.GetBytes(32);
        var other = RandomNumberGenerator.GetBytes(32);

        await using (var first = new PostgresReplayGuard(db.DataSource, db.Options))
        {
            Assert.True(await first.TryAcceptAsync(key));
            Assert.False(await first.TryAcceptAsync(key));
        }
        // A restarted node: a new guard, the same table.
        await using var second = PostgresReplayGuard.Create(db.ConnectionString, db.Options);
        Assert.False(await second.TryAcceptAsync(key));
        Assert.True(await second.TryAcceptAsync(other));
        Assert.Equal(2L, await db.ScalarAsync("select count(*) from mychips.peer_handshakes"));
    }

    [Fact]
    public async Task Sixteen_racing_presentations_of_one_key_accept_exactly_one()
    {
        await using var db = await TestDatabase.CreateAsync(fixture.Server);
        var guard = new PostgresReplayGuard(db.DataSource, db.Options);
        var key = RandomNumberGenerator.GetBytes(32);

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => guard.TryAcceptAsync(key).AsTask()));

        Assert.Single(answers, accepted => accepted);
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_an_error_never_an_acceptance()
    {
        await using var guard = PostgresReplayGuard.Create("Host=127.0.0.1;Port=1;Username=nobody",
            new PostgresKeyStoreOptions { OperationTimeout = TimeSpan.FromSeconds(2) });

        await Assert.ThrowsAsync<KeyStoreUnavailableException>(async () => await guard.TryAcceptAsync(new byte[32]));
    }

    [Fact]
    public async Task The_in_memory_guard_forgets_only_past_its_capacity()
    {
        var guard = new InMemoryReplayGuard(capacity: 2);
        byte[][] keys = [RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)];

        Assert.True(await guard.TryAcceptAsync(keys[0]));
        Assert.True(await guard.TryAcceptAsync(keys[1]));
        Assert.False(await guard.TryAcceptAsync(keys[0]));
        Assert.True(await guard.TryAcceptAsync(keys[2]));   // the oldest, keys[0], is forgotten
        Assert.False(await guard.TryAcceptAsync(keys[1]));
        Assert.True(await guard.TryAcceptAsync(keys[0]));
    }
}
