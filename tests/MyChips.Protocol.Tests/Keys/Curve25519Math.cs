using System.Numerics;

namespace MyChips.Protocol.Tests.Keys;

/// <summary>
/// Textbook Curve25519 arithmetic with BigInteger, so key conversions can be checked without libsodium.
/// </summary>
internal static class Curve25519Math
{
    public static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    // Edwards d = -121665 / 121666 (mod p).
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));

    /// <summary>The birational map from an Edwards point's y to the Montgomery u: u = (1 + y) / (1 - y).</summary>
    public static byte[] EdwardsToMontgomery(ReadOnlySpan<byte> ed25519PublicKey)
    {
        var y = DecodeY(ed25519PublicKey);
        return Encode(Mod((1 + y) * Inverse(Mod(1 - y))));
    }

    /// <summary>The first y = 2, 3, ... for which no x is on the curve: a 32-byte string that is no public key.</summary>
    public static byte[] FirstOffCurveEncoding()
    {
        for (BigInteger y = 2; ; y++)
        {
            var y2 = y * y;
            var x2 = Mod((y2 - 1) * Inverse(Mod(D * y2 + 1)));
            if (!x2.IsZero && BigInteger.ModPow(x2, (P - 1) / 2, P) == P - 1) return Encode(y);
        }
    }

    private static BigInteger DecodeY(ReadOnlySpan<byte> encoded)
    {
        var bytes = encoded.ToArray();
        bytes[31] &= 0x7f; // the top bit is the sign of x
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    private static byte[] Encode(BigInteger value)
    {
        var encoded = new byte[32];
        value.TryWriteBytes(encoded, out _, isUnsigned: true, isBigEndian: false);
        return encoded;
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(value, P - 2, P);

    private static BigInteger Mod(BigInteger value) => ((value % P) + P) % P;
}
