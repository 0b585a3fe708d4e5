namespace MyChips.Protocol.Noise.Primitives;

/// <summary>The "25519" DH functions: X25519 by libsodium.</summary>
internal sealed class Curve25519Dh : NoiseDh
{
    public static readonly Curve25519Dh Instance = new();

    public override string Name => "25519";

    public override int DhLength => X25519Keys.KeyLength;

    public override void GenerateKeyPair(Span<byte> privateKey, Span<byte> publicKey) => X25519Keys.GenerateKeyPair(privateKey, publicKey);

    public override void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey) => X25519Keys.DerivePublicKey(privateKey, publicKey);

    public override void Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret) =>
        X25519Keys.Agree(privateKey, publicKey, sharedSecret);
}
