namespace MyChips.Protocol.Overlay.Routing;

/// <summary>A peer in a bucket, with when it was first and last heard from.</summary>
public sealed record RoutingEntry(PeerInfo Peer, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>What <see cref="RoutingTable.Observe"/> did with a peer.</summary>
public enum ObserveResult
{
    /// <summary>The peer is this node.</summary>
    Self,

    /// <summary>A new entry in a bucket with room.</summary>
    Added,

    /// <summary>Known already: now the most recently seen of its bucket.</summary>
    Refreshed,

    /// <summary>
    /// The bucket is full: the newcomer waits while the least recently seen entry is pinged. Long-lived nodes are
    /// likely to stay, so an old entry that answers keeps its place (<see cref="RoutingTable.Observe"/> again)
    /// and one that does not is replaced (<see cref="RoutingTable.Replace"/>).
    /// </summary>
    BucketFull,
}
