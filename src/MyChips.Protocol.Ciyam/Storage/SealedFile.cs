using System.Security.Cryptography;
using System.Text;
using MyChips.Protocol.Ciyam.Files;
using NSec.Cryptography;
using Aead = System.Security.Cryptography.ChaCha20Poly1305;

namespace MyChips.Protocol.Ciyam.Storage;

/// <summary>
/// Content kept for its owner without the keeper being able to read it. The keeper agrees a key (X25519) from a
/// fresh key pair of its own and the owner's public key, encrypts the payload (ChaCha20-Poly1305; the key is used
/// once, so the nonce is zero), sets the encrypted bit on the type byte and keeps only its public half. The owner,
/// given that public half, agrees the same key from its private key and opens the file.
/// </summary>
public static class SealedFile
{
    public const int KeyLength = 32;
    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;
    private static readonly byte[] ZeroNonce = new byte[12];

    /// <summary>
    /// The owner's key pair for a file: from the content hash and a password, so the owner can rebuild it with
    /// nothing else kept. Returns the private key's 32 bytes and the public key's.
    /// </summary>
    public static (byte[] PrivateKey, byte[] PublicKey) OwnerKeys(string contentHash, string password)
    {
        var privateKey = SHA256.HashData(Encoding.UTF8.GetBytes(contentHash + password));
        using var key = Key.Import(X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        return (privateKey, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Seals <paramref name="stored"/> for the owner; returns the sealed stored bytes and the keeper's public half.</summary>
    public static (byte[] Sealed, byte[] KeeperPublicKey) Seal(ReadOnlySpan<byte> stored, byte[] ownerPublicKey)
    {
        using var keeper = Key.Create(X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        var key = AgreedKey(keeper, ownerPublicKey);
        var sealedFile = new byte[1 + stored.Length - 1 + 16];
        sealedFile[0] = (byte)(stored[0] | StoredFile.EncryptedFlag);
        using (var cipher = new Aead(key))
            cipher.Encrypt(ZeroNonce, stored[1..], sealedFile.AsSpan(1, stored.Length - 1), sealedFile.AsSpan(stored.Length), [sealedFile[0]]);
        CryptographicOperations.ZeroMemory(key);
        return (sealedFile, keeper.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Opens a sealed file with the owner's private key and the keeper's public half: the original stored bytes.</summary>
    public static byte[] Open(ReadOnlySpan<byte> sealedFile, byte[] ownerPrivateKey, byte[] keeperPublicKey)
    {
        if (sealedFile.Length < 1 + 16 || (sealedFile[0] & StoredFile.EncryptedFlag) == 0) throw new CryptographicException("not a sealed file");
        using var owner = Key.Import(X25519, ownerPrivateKey, KeyBlobFormat.RawPrivateKey);
        var key = AgreedKey(owner, keeperPublicKey);
        var stored = new byte[sealedFile.Length - 16];
        stored[0] = (byte)(sealedFile[0] & ~StoredFile.EncryptedFlag);
        using (var cipher = new Aead(key))
            cipher.Decrypt(ZeroNonce, sealedFile[1..^16], sealedFile[^16..], stored.AsSpan(1), [sealedFile[0]]);
        CryptographicOperations.ZeroMemory(key);
        return stored;
    }

    /// <summary>SHA-256 of the lowercase hex of the X25519 shared secret, as CIYAM derives its file key from ECDH.</summary>
    private static byte[] AgreedKey(Key own, byte[] otherPublicKey)
    {
        var other = PublicKey.Import(X25519, otherPublicKey, KeyBlobFormat.RawPublicKey);
        using var shared = X25519.Agree(own, other, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new CryptographicException("the public key gives no shared secret");
        var secret = shared.Export(SharedSecretBlobFormat.RawSharedSecret);
        var key = SHA256.HashData(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)));
        CryptographicOperations.ZeroMemory(secret);
        return key;
    }
}
