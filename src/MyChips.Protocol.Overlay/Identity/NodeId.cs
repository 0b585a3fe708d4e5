using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace MyChips.Protocol.Overlay.Identity;

/// <summary>
/// A 256-bit point of the overlay's XOR metric space: SHA-256 of a node's Noise static public key. Held as four
/// big-endian words, so distances and comparisons cost a few instructions.
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    /// <summary>Bits in an id, and so buckets in a routing table.</summary>
    public const int Bits = 256;

    /// <summary>Bytes in an id.</summary>
    public const int Length = 32;

    private readonly ulong _w0, _w1, _w2, _w3;

    private NodeId(ulong w0, ulong w1, ulong w2, ulong w3) => (_w0, _w1, _w2, _w3) = (w0, w1, w2, w3);

    /// <summary>An id from its 32 bytes, most significant first.</summary>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"A node id is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The id of a node: SHA-256 of its static public key.</summary>
    public static NodeId FromPublicKey(ReadOnlySpan<byte> publicKey) => new(SHA256.HashData(publicKey));

    /// <summary>A uniformly random id (lookup targets, bucket refresh).</summary>
    public static NodeId Random(Random? random = null)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (random is null) RandomNumberGenerator.Fill(bytes);
        else random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    /// <summary>The XOR distance to <paramref name="other"/>, itself an id-sized number.</summary>
    public NodeId Xor(NodeId other) => new(_w0 ^ other._w0, _w1 ^ other._w1, _w2 ^ other._w2, _w3 ^ other._w3);

    /// <summary>Leading zero bits: for a distance, how many leading bits the two ids share.</summary>
    public int LeadingZeroCount =>
        _w0 != 0 ? BitOperations.LeadingZeroCount(_w0)
        : _w1 != 0 ? 64 + BitOperations.LeadingZeroCount(_w1)
        : _w2 != 0 ? 128 + BitOperations.LeadingZeroCount(_w2)
        : _w3 != 0 ? 192 + BitOperations.LeadingZeroCount(_w3)
        : Bits;

    /// <summary>How many leading bits two ids share: the index of the bucket one keeps the other in.</summary>
    public static int CommonPrefixLength(NodeId a, NodeId b) => a.Xor(b).LeadingZeroCount;

    /// <summary>Whether this id starts with the first <paramref name="bits"/> bits of <paramref name="prefix"/>.</summary>
    public bool HasPrefix(NodeId prefix, int bits) => CommonPrefixLength(this, prefix) >= bits;

    /// <summary>
    /// The first <paramref name="bits"/> bits of this id and random bits after them: an id in the same
    /// region of the space, such as a target that refreshes the bucket of that depth.
    /// </summary>
    public NodeId WithRandomSuffix(int bits, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Bits);
        var noise = Random(random);
        Span<byte> mine = stackalloc byte[Length];
        Span<byte> other = stackalloc byte[Length];
        WriteTo(mine);
        noise.WriteTo(other);
        for (var i = 0; i < Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            var mask = (byte)(0xFF << (8 - keep));
            mine[i] = (byte)((mine[i] & mask) | (other[i] & ~mask));
        }
        return new NodeId(mine);
    }

    /// <summary>A random id in bucket <paramref name="bucket"/> of this node: it shares exactly that many leading bits.</summary>
    public NodeId RandomInBucket(int bucket, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, Bits);
        Span<byte> flipped = stackalloc byte[Length];
        WriteTo(flipped);
        flipped[bucket / 8] ^= (byte)(0x80 >> (bucket % 8));
        return new NodeId(flipped).WithRandomSuffix(bucket + 1, random);
    }

    /// <summary>Writes the 32 bytes, most significant first.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The 32 bytes, most significant first.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Compares as unsigned 256-bit numbers; on distances, nearer first.</summary>
    public int CompareTo(NodeId other) =>
        _w0 != other._w0 ? _w0.CompareTo(other._w0)
        : _w1 != other._w1 ? _w1.CompareTo(other._w1)
        : _w2 != other._w2 ? _w2.CompareTo(other._w2)
        : _w3.CompareTo(other._w3);

    /// <summary>Orders <paramref name="a"/> and <paramref name="b"/> by their distance to <paramref name="target"/>.</summary>
    public static int CompareDistance(NodeId target, NodeId a, NodeId b) => target.Xor(a).CompareTo(target.Xor(b));

    public bool Equals(NodeId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;

    /// <summary>Lowercase hex of the 32 bytes.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    /// <summary>The first 8 hex digits, for logs and tables.</summary>
    public string ToShortString() => ToString()[..8];

    /// <summary>Parses 64 hex digits.</summary>
    public static NodeId Parse(string hex) => new(Convert.FromHexString(hex));
}
