using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Messaging;

/// <summary>
/// A find-me on its way: a random id (duplicates are dropped by it), hops left, the region of the id space it is
/// spread in (the first <see cref="RegionBits"/> bits of <see cref="Region"/>; 0 bits: the whole network), and the
/// seal only the contact opens. Outside its region it travels toward it; inside, every node tries the seal and
/// passes it on.
/// </summary>
public sealed record FindMePacket(ReadOnlyMemory<byte> Id, int Ttl, NodeId Region, int RegionBits, ReadOnlyMemory<byte> Sealed)
{
    /// <summary>Bytes in a find-me id.</summary>
    public const int IdLength = 16;

    /// <summary>The most hops a find-me may ask for; more is TTL abuse.</summary>
    public const int MaxTtl = 32;

    /// <summary>The narrowest region a find-me may name (a narrower one would point at the contact).</summary>
    public const int MaxRegionBits = 24;

    /// <summary>Why this packet must be dropped unread, or null if it is well formed.</summary>
    public string? Problem() =>
        Id.Length != IdLength ? $"the id is {Id.Length} bytes, not {IdLength}"
        : Ttl < 1 ? "its TTL ran out"
        : Ttl > MaxTtl ? $"a TTL of {Ttl} is over the {MaxTtl} allowed"
        : RegionBits is < 0 or > MaxRegionBits ? $"a region of {RegionBits} bits is outside 0 to {MaxRegionBits}"
        : Sealed.Length > FindMeSeal.MaxSealedLength ? $"the seal is {Sealed.Length} bytes, over the {FindMeSeal.MaxSealedLength} allowed"
        : Sealed.Length < 96 ? "the seal is too short to hold keys"
        : null;
}
