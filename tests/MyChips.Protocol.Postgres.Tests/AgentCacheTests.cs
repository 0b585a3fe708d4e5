using MyChips.Protocol.Postgres.Tests.Fixtures;

namespace MyChips.Protocol.Postgres.Tests;

public sealed class AgentCacheTests
{
    [Fact]
    public void Nothing_is_kept_or_served_while_the_cache_is_not_fresh()
    {
        var cache = new AgentCache(10);
        var record = TestDatabase.NewAgent();

        cache.Store(record, cache.Generation);

        Assert.False(cache.TryGet(record.Agent, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_record_read_before_a_change_notice_is_not_kept()
    {
        var cache = new AgentCache(10);
        cache.Reset(fresh: true);
        var record = TestDatabase.NewAgent();
        var readUnder = cache.Generation;

        cache.Invalidate(TestDatabase.NewAgent().Agent);
        cache.Store(record, readUnder);

        Assert.False(cache.TryGet(record.Agent, out _));
    }

    [Fact]
    public void A_record_read_before_the_listener_came_back_is_not_kept()
    {
        var cache = new AgentCache(10);
        var record = TestDatabase.NewAgent();
        var readUnder = cache.Generation;

        cache.Reset(fresh: true);
        cache.Store(record, readUnder);

        Assert.False(cache.TryGet(record.Agent, out _));
    }

    [Fact]
    public void A_fresh_record_is_served_until_it_is_invalidated_or_the_cache_goes_stale()
    {
        var cache = new AgentCache(10);
        cache.Reset(fresh: true);
        var record = TestDatabase.NewAgent();

        cache.Store(record, cache.Generation);
        Assert.True(cache.TryGet(record.Agent, out var served));
        Assert.Same(record, served);

        cache.Invalidate(record.Agent);
        Assert.False(cache.TryGet(record.Agent, out _));

        cache.Store(record, cache.Generation);
        cache.Reset(fresh: false);
        Assert.False(cache.TryGet(record.Agent, out _));
    }

    [Fact]
    public void The_cache_does_not_grow_past_its_capacity()
    {
        var cache = new AgentCache(2);
        cache.Reset(fresh: true);

        for (var i = 0; i < 5; i++) cache.Store(TestDatabase.NewAgent(), cache.Generation);

        Assert.Equal(2, cache.Count);
    }
}
