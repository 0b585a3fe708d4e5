using System.Buffers.Binary;

namespace MyChips.Protocol.Framing;

/// <summary>
/// Several messages in one body, each a 4-byte big-endian length then its bytes: how a protocol carries a write
/// batch in one packet (one AEAD seal for the lot). A body is whole entries and nothing else.
/// </summary>
public static class LengthPrefixedEntries
{
    /// <summary>The length field before each entry.</summary>
    public const int HeaderLength = 4;

    /// <summary>The bytes one entry of <paramref name="length"/> bytes takes.</summary>
    public static int SizeOf(int length) => HeaderLength + length;

    /// <summary>Writes one entry at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> entry)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, entry.Length);
        entry.CopyTo(destination[HeaderLength..]);
        return HeaderLength + entry.Length;
    }

    /// <summary>
    /// The entries of <paramref name="body"/>, each copied; false unless it is at least <paramref name="minimum"/>
    /// whole, non-empty entries and nothing else.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> body, int minimum, out List<byte[]> entries)
    {
        entries = [];
        while (!body.IsEmpty)
        {
            if (body.Length < HeaderLength) return false;
            var length = BinaryPrimitives.ReadInt32BigEndian(body);
            if (length <= 0 || length > body.Length - HeaderLength) return false;
            entries.Add(body.Slice(HeaderLength, length).ToArray());
            body = body[(HeaderLength + length)..];
        }
        return entries.Count >= minimum;
    }
}
