using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Routing;

/// <summary>What a node offers to others.</summary>
[Flags]
public enum PeerFlags
{
    None = 0,

    /// <summary>Accepts connections from outside at its address.</summary>
    Reachable = 1,

    /// <summary>Relays for nodes that cannot accept connections, with its own limits.</summary>
    Relay = 2,

    /// <summary>Offers itself as an entry point to new nodes.</summary>
    EntryPoint = 4,

    /// <summary>Knows hole-punch signalling: tells peers the address it sees them at, and takes (or, as a relay, passes on) punch signals.</summary>
    Punch = 8,
}

/// <summary>A node as others know it: its id, its Noise static public key, where to reach it, what it offers.</summary>
public sealed record PeerInfo(NodeId Id, ReadOnlyMemory<byte> PublicKey, string? Address, PeerFlags Flags = PeerFlags.None)
{
    /// <summary>A peer whose id is derived from <paramref name="publicKey"/>, as it must be.</summary>
    public static PeerInfo From(ReadOnlyMemory<byte> publicKey, string? address, PeerFlags flags = PeerFlags.None) =>
        new(NodeId.FromPublicKey(publicKey.Span), publicKey, address, flags);

    public bool Equals(PeerInfo? other) => other is not null && Id == other.Id && Address == other.Address && Flags == other.Flags;

    public override int GetHashCode() => Id.GetHashCode();

    public override string ToString() => $"{Id.ToShortString()}@{Address ?? "-"}";
}
