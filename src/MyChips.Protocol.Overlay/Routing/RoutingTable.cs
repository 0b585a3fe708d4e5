using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Routing;

/// <summary>
/// A Kademlia routing table: one bucket per shared-prefix length with this node's id (256), each holding at most
/// k peers ordered from least to most recently seen. A full bucket never drops a live old entry for a newcomer:
/// nodes that have been up long are the likeliest to stay up.
/// </summary>
public sealed class RoutingTable
{
    /// <summary>The paper's and libp2p's bucket size.</summary>
    public const int DefaultBucketSize = 20;

    private readonly Lock _gate = new();
    private readonly List<RoutingEntry>?[] _buckets = new List<RoutingEntry>?[NodeId.Bits];
    private readonly DateTimeOffset[] _touched = new DateTimeOffset[NodeId.Bits];
    private readonly TimeProvider _time;
    private int _count;

    public RoutingTable(NodeId self, int bucketSize = DefaultBucketSize, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketSize, 1);
        Self = self;
        BucketSize = bucketSize;
        _time = time ?? TimeProvider.System;
        Array.Fill(_touched, _time.GetUtcNow());
    }

    public NodeId Self { get; }

    /// <summary>k: the most peers a bucket holds.</summary>
    public int BucketSize { get; }

    public int Count
    {
        get
        {
            lock (_gate) return _count;
        }
    }

    /// <summary>The bucket a peer belongs in: how many leading bits its id shares with this node's.</summary>
    public int BucketOf(NodeId id) => NodeId.CommonPrefixLength(Self, id);

    /// <summary>
    /// Records that <paramref name="peer"/> was heard from. For <see cref="ObserveResult.BucketFull"/>,
    /// <paramref name="oldest"/> is the entry to ping before the newcomer may take its place.
    /// </summary>
    public ObserveResult Observe(PeerInfo peer, out PeerInfo? oldest)
    {
        ArgumentNullException.ThrowIfNull(peer);
        oldest = null;
        if (peer.Id == Self) return ObserveResult.Self;
        var now = _time.GetUtcNow();
        var index = BucketOf(peer.Id);
        lock (_gate)
        {
            var bucket = _buckets[index] ??= new List<RoutingEntry>(4);
            _touched[index] = now;
            var at = bucket.FindIndex(e => e.Peer.Id == peer.Id);
            if (at >= 0)
            {
                var known = bucket[at];
                bucket.RemoveAt(at);
                bucket.Add(known with { Peer = peer, LastSeen = now });
                return ObserveResult.Refreshed;
            }
            if (bucket.Count < BucketSize)
            {
                bucket.Add(new RoutingEntry(peer, now, now));
                _count++;
                return ObserveResult.Added;
            }
            oldest = bucket[0].Peer;
            return ObserveResult.BucketFull;
        }
    }

    /// <summary>Puts <paramref name="newcomer"/> in the place of <paramref name="stale"/>, which did not answer.</summary>
    public void Replace(NodeId stale, PeerInfo newcomer)
    {
        if (Remove(stale)) Observe(newcomer, out _);
    }

    /// <summary>Drops a peer (it failed, or left).</summary>
    public bool Remove(NodeId id)
    {
        lock (_gate)
        {
            var bucket = _buckets[BucketOf(id)];
            if (bucket is null || bucket.RemoveAll(e => e.Peer.Id == id) == 0) return false;
            _count--;
            return true;
        }
    }

    public bool Contains(NodeId id)
    {
        lock (_gate) return _buckets[BucketOf(id)]?.Exists(e => e.Peer.Id == id) == true;
    }

    /// <summary>The <paramref name="count"/> known peers nearest to <paramref name="target"/>, nearest first.</summary>
    public IReadOnlyList<PeerInfo> Closest(NodeId target, int count)
    {
        List<PeerInfo> all;
        lock (_gate)
        {
            all = new List<PeerInfo>(_count);
            foreach (var bucket in _buckets)
                if (bucket is not null)
                    foreach (var entry in bucket) all.Add(entry.Peer);
        }
        all.Sort((a, b) => NodeId.CompareDistance(target, a.Id, b.Id));
        return all.Count > count ? all.GetRange(0, count) : all;
    }

    /// <summary>The known peers whose ids start with the first <paramref name="bits"/> bits of <paramref name="prefix"/>.</summary>
    public IReadOnlyList<PeerInfo> WithPrefix(NodeId prefix, int bits)
    {
        lock (_gate)
        {
            var found = new List<PeerInfo>();
            foreach (var bucket in _buckets)
                if (bucket is not null)
                    foreach (var entry in bucket)
                        if (entry.Peer.Id.HasPrefix(prefix, bits)) found.Add(entry.Peer);
            return found;
        }
    }

    /// <summary>Every entry, bucket by bucket.</summary>
    public IReadOnlyList<(int Bucket, IReadOnlyList<RoutingEntry> Entries)> Snapshot()
    {
        lock (_gate)
        {
            var result = new List<(int, IReadOnlyList<RoutingEntry>)>();
            for (var i = 0; i < _buckets.Length; i++)
                if (_buckets[i] is { Count: > 0 } bucket) result.Add((i, bucket.ToArray()));
            return result;
        }
    }

    /// <summary>
    /// The buckets no lookup has touched for <paramref name="age"/>, up to the deepest one in use: each needs a
    /// lookup of a random id in its range (libp2p refreshes every 10 minutes).
    /// </summary>
    public IReadOnlyList<int> StaleBuckets(TimeSpan age)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var deepest = Array.FindLastIndex(_buckets, b => b is { Count: > 0 });
            var stale = new List<int>();
            for (var i = 0; i <= deepest; i++)
                if (now - _touched[i] >= age) stale.Add(i);
            return stale;
        }
    }

    /// <summary>Marks the bucket of <paramref name="target"/> as refreshed by a lookup.</summary>
    public void MarkLookup(NodeId target)
    {
        if (target == Self) return;
        lock (_gate) _touched[BucketOf(target)] = _time.GetUtcNow();
    }
}
