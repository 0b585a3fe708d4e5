namespace MyChips.Protocol.Noise.Primitives;

/// <summary>A Noise DH function (spec section 4.1) on caller-owned spans: private and public keys are DHLEN bytes.</summary>
internal abstract class NoiseDh
{
    public abstract string Name { get; }

    /// <summary>DHLEN: the length of public keys and DH outputs (32 for 25519, 56 for 448).</summary>
    public abstract int DhLength { get; }

    public abstract void GenerateKeyPair(Span<byte> privateKey, Span<byte> publicKey);

    public abstract void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey);

    /// <summary>DH(private, public); throws <see cref="NoiseException"/> (InvalidPublicKey) for an all-zero output.</summary>
    public abstract void Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret);

    public static NoiseDh? FromName(string name) => name switch
    {
        "25519" => Curve25519Dh.Instance,
        "448" => Curve448Dh.Instance,
        _ => null,
    };
}
