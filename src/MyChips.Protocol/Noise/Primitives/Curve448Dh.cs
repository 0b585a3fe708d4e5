using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>The "448" DH functions: X448 (RFC 7748) from BouncyCastle, which libsodium and NSec lack.</summary>
internal sealed class Curve448Dh : NoiseDh
{
    public static readonly Curve448Dh Instance = new();

    public override string Name => "448";

    public override int DhLength => X448.PointSize;

    public override void GenerateKeyPair(Span<byte> privateKey, Span<byte> publicKey)
    {
        RandomNumberGenerator.Fill(privateKey[..X448.ScalarSize]);
        DerivePublicKey(privateKey, publicKey);
    }

    public override void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey) =>
        X448.ScalarMultBase(privateKey[..X448.ScalarSize], publicKey[..X448.PointSize]);

    public override void Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        if (!X448.CalculateAgreement(privateKey[..X448.ScalarSize], publicKey[..X448.PointSize], sharedSecret[..X448.PointSize]))
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            throw new NoiseException(NoiseError.InvalidPublicKey, "the peer's X448 public key is of small order (all-zero DH output).");
        }
    }
}
