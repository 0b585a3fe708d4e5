using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Overlay.Identity;

/// <summary>
/// A node's identity: its Noise static key pair (X25519) and the id derived from the public key. Regenerating
/// it gives a new key and a new id; contacts then need a new card.
/// </summary>
public sealed class OverlayIdentity
{
    private readonly byte[] _privateKey;

    private OverlayIdentity(byte[] privateKey)
    {
        if (privateKey.Length != X25519Keys.KeyLength)
            throw new ArgumentException($"A static private key is {X25519Keys.KeyLength} bytes, not {privateKey.Length}.", nameof(privateKey));
        _privateKey = privateKey;
        var publicKey = new byte[X25519Keys.KeyLength];
        X25519Keys.DerivePublicKey(privateKey, publicKey);
        PublicKey = publicKey;
        Id = NodeId.FromPublicKey(publicKey);
    }

    /// <summary>A fresh random identity.</summary>
    public static OverlayIdentity Generate()
    {
        var privateKey = new byte[X25519Keys.KeyLength];
        var publicKey = new byte[X25519Keys.KeyLength];
        X25519Keys.GenerateKeyPair(privateKey, publicKey);
        return new OverlayIdentity(privateKey);
    }

    /// <summary>The identity of a stored 32-byte private key.</summary>
    public static OverlayIdentity FromPrivateKey(ReadOnlySpan<byte> privateKey) => new(privateKey.ToArray());

    /// <summary>The Noise static public key, as peers see it in the handshake.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>The node's place in the XOR space.</summary>
    public NodeId Id { get; }

    /// <summary>The private key, for the connection engine and the find-me seal.</summary>
    public ReadOnlyMemory<byte> PrivateKey => _privateKey;
}
