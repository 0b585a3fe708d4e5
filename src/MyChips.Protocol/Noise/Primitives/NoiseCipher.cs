namespace MyChips.Protocol.Noise.Primitives;

/// <summary>
/// A Noise cipher function (spec section 4.2): stateless, the key and nonce come from the caller, so no
/// object or native memory exists per key. Ciphertext is the encrypted bytes followed by a 16-byte tag.
/// </summary>
internal abstract class NoiseCipher
{
    public const int KeyLength = 32;
    public const int TagLength = 16;

    public abstract string Name { get; }

    /// <summary>Throws <see cref="NotSupportedException"/> when this machine cannot run the cipher.</summary>
    public virtual void EnsureSupported()
    {
    }

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext length + 16); they may be the same memory.</summary>
    public abstract void Encrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext);

    /// <summary>Opens <paramref name="ciphertext"/> into <paramref name="plaintext"/>; false (and zeroed output) when the tag fails.</summary>
    public abstract bool Decrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext);

    public static NoiseCipher? FromName(string name) => name switch
    {
        "ChaChaPoly" => ChaChaPolyCipher.Instance,
        "AESGCM" => AesGcmCipher.Instance,
        _ => null,
    };
}
