using System.Buffers.Binary;

namespace MyChips.Protocol.Testing.Hostile;

/// <summary>Bytes a hostile peer sends: frames (4-byte big-endian length of type and body, type byte, body), bare length prefixes, garbage.</summary>
public static class HostileFrames
{
    public static byte[] Frame(byte type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(body.Length + 1));
        frame[4] = type;
        body.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static byte[] Frame(char type, ReadOnlySpan<byte> body) => Frame((byte)type, body);

    /// <summary>A header that declares <paramref name="length"/> bytes of type and body, with none of the body.</summary>
    public static byte[] Header(uint length, char type)
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        header[4] = (byte)type;
        return header;
    }

    /// <summary>Reproducible random bytes.</summary>
    public static byte[] Garbage(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
