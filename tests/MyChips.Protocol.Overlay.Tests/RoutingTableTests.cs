using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Routing;

namespace MyChips.Protocol.Overlay.Tests;

public sealed class RoutingTableTests
{
    private readonly NodeId _self = NodeId.Random();

    [Fact]
    public void A_bucket_holds_k_peers_and_a_newcomer_to_a_full_one_waits_on_the_oldest()
    {
        var table = new RoutingTable(_self, bucketSize: 20);
        var peers = Enumerable.Range(0, 21).Select(_ => Peer(_self.RandomInBucket(0))).ToList();

        foreach (var peer in peers.Take(20)) Assert.Equal(ObserveResult.Added, table.Observe(peer, out _));
        var result = table.Observe(peers[20], out var oldest);

        Assert.Equal(ObserveResult.BucketFull, result);
        Assert.Equal(peers[0], oldest);
        Assert.Equal(20, table.Count);
        Assert.False(table.Contains(peers[20].Id));
    }

    [Fact]
    public void An_old_entry_that_answers_keeps_its_place_and_a_silent_one_is_replaced()
    {
        var table = new RoutingTable(_self, bucketSize: 2);
        var (first, second, newcomer) = (Peer(_self.RandomInBucket(1)), Peer(_self.RandomInBucket(1)), Peer(_self.RandomInBucket(1)));
        table.Observe(first, out _);
        table.Observe(second, out _);

        table.Observe(newcomer, out var oldest);
        Assert.Equal(first, oldest);
        Assert.Equal(ObserveResult.Refreshed, table.Observe(first, out _)); // it answered the ping
        Assert.False(table.Contains(newcomer.Id));

        table.Observe(newcomer, out oldest);
        Assert.Equal(second, oldest); // now the least recently seen
        table.Replace(second.Id, newcomer); // it did not answer
        Assert.True(table.Contains(newcomer.Id));
        Assert.False(table.Contains(second.Id));
        Assert.True(table.Contains(first.Id));
    }

    [Fact]
    public void Closest_returns_the_nearest_by_XOR_nearest_first_and_never_the_node_itself()
    {
        var table = new RoutingTable(_self);
        var peers = Enumerable.Range(0, 300).Select(_ => Peer(NodeId.Random())).ToList();
        foreach (var peer in peers) table.Observe(peer, out _);
        Assert.Equal(ObserveResult.Self, table.Observe(Peer(_self), out _));
        var target = NodeId.Random();

        var closest = table.Closest(target, 20);

        var known = table.Snapshot().SelectMany(b => b.Entries).Select(e => e.Peer.Id).ToList();
        var expected = known.OrderBy(id => target.Xor(id)).Take(20).ToList();
        Assert.Equal(expected, closest.Select(p => p.Id).ToList());
    }

    [Fact]
    public void Buckets_no_lookup_touched_for_the_interval_are_due_for_a_refresh()
    {
        var time = new FakeTimeProvider();
        var table = new RoutingTable(_self, time: time);
        for (var bucket = 0; bucket < 4; bucket++) table.Observe(Peer(_self.RandomInBucket(bucket)), out _);

        time.Advance(TimeSpan.FromMinutes(9));
        table.MarkLookup(_self.RandomInBucket(2));
        Assert.Empty(table.StaleBuckets(TimeSpan.FromMinutes(10)));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([0, 1, 3], table.StaleBuckets(TimeSpan.FromMinutes(10)));
    }

    private static PeerInfo Peer(NodeId id) => new(id, new byte[32], "sim", PeerFlags.Reachable);
}
