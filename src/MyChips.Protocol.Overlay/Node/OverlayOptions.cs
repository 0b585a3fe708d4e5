using MyChips.Protocol.Overlay.Routing;

namespace MyChips.Protocol.Overlay.Node;

/// <summary>How an overlay node routes, spreads find-me packets and keeps links. Defaults in the comments say why.</summary>
public sealed class OverlayOptions
{
    /// <summary>k: bucket size and lookup width (the Kademlia paper and libp2p: 20).</summary>
    public int BucketSize { get; init; } = RoutingTable.DefaultBucketSize;

    /// <summary>
    /// Queries a lookup round sends at once. The paper's 3, not libp2p's 10: on this overlay's small messages the
    /// rounds, not the bandwidth, set a lookup's time, and 3 keeps the messages per lookup low while a failed
    /// peer costs one round at most (docs/benchmarks.md compares both).
    /// </summary>
    public int Alpha { get; init; } = 3;

    /// <summary>How long a bucket may go without a lookup before it is refreshed (libp2p: 10 minutes).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one request waits for its answer (libp2p: 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Links kept open to recently contacted nodes, so a burst of messages reuses one.</summary>
    public int RecentLinks { get; init; } = 32;

    /// <summary>Hops a new find-me may take.</summary>
    public int FindMeTtl { get; init; } = 16;

    /// <summary>
    /// About how many nodes a find-me is spread among: the sender picks the region of the id space around its
    /// contact that holds about this many nodes (by its estimate of the network's size). More means more
    /// privacy and more messages; 0 spreads it over the whole network, as a plain broadcast.
    /// </summary>
    public int FindMeRegionSize { get; init; } = 64;

    /// <summary>Peers a node passes a find-me on to inside its region.</summary>
    public int FindMeFanout { get; init; } = 8;

    /// <summary>Peers a find-me goes to on its way toward its region (more than one survives a dead hop).</summary>
    public int FindMeRouteFanout { get; init; } = 3;

    /// <summary>Find-me ids remembered for duplicate suppression.</summary>
    public int FindMeMemory { get; init; } = 4096;

    /// <summary>How long a sender waits for its contact to connect back after a find-me.</summary>
    public TimeSpan FindMeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What this node offers to others.</summary>
    public PeerFlags Offers { get; init; } = PeerFlags.Reachable;

    /// <summary>
    /// The user's consent to relays: this node may reserve a relay, reach contacts through one and take circuits
    /// from contacts. False keeps all of its traffic direct. Relaying for others is <see cref="Offers"/>' Relay flag.
    /// </summary>
    public bool AllowRelay { get; init; } = true;

    /// <summary>What this node grants as a relay, when it offers to be one.</summary>
    public Relay.RelayLimits RelayLimits { get; init; } = new();

    /// <summary>Buckets refreshed right after joining, beyond the lookup of the node's own id.</summary>
    public int JoinRefreshes { get; init; } = 2;
}
