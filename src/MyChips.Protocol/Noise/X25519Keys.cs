using System.Security.Cryptography;

namespace MyChips.Protocol.Noise;

/// <summary>X25519 key helpers (the Noise "25519" DH functions), on caller-owned spans.</summary>
public static unsafe class X25519Keys
{
    /// <summary>Length of private keys, public keys and DH outputs.</summary>
    public const int KeyLength = 32;

    /// <summary>Fills <paramref name="privateKey"/> with fresh random bytes and writes the matching public key.</summary>
    public static void GenerateKeyPair(Span<byte> privateKey, Span<byte> publicKey)
    {
        CheckLength(privateKey.Length, nameof(privateKey));
        Sodium.EnsureInitialized();
        fixed (byte* priv = privateKey)
        {
            Sodium.randombytes_buf(priv, KeyLength);
        }
        DerivePublicKey(privateKey, publicKey);
    }

    /// <summary>Computes the public key of <paramref name="privateKey"/> (clamped as RFC 7748 says).</summary>
    public static void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        CheckLength(privateKey.Length, nameof(privateKey));
        CheckLength(publicKey.Length, nameof(publicKey));
        Sodium.EnsureInitialized();
        fixed (byte* priv = privateKey)
        fixed (byte* pub = publicKey)
        {
            if (Sodium.crypto_scalarmult_curve25519_base(pub, priv) != 0)
                throw new CryptographicException("X25519 public key derivation failed.");
        }
    }

    /// <summary>
    /// DH(private, public) into <paramref name="sharedSecret"/>. A peer key of small order gives an all-zero
    /// output, which is refused: it would make the shared secret known to anyone.
    /// </summary>
    internal static void Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        fixed (byte* priv = privateKey)
        fixed (byte* pub = publicKey)
        fixed (byte* shared = sharedSecret)
        {
            if (Sodium.crypto_scalarmult_curve25519(shared, priv, pub) != 0)
            {
                CryptographicOperations.ZeroMemory(sharedSecret);
                throw new NoiseException(NoiseError.InvalidPublicKey, "the peer's X25519 public key is of small order (all-zero DH output).");
            }
        }
    }

    private static void CheckLength(int length, string name)
    {
        if (length != KeyLength)
            throw new ArgumentException($"An X25519 key is {KeyLength} bytes, not {length}.", name);
    }
}
