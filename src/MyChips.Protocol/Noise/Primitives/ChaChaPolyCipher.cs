using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>ChaCha20-Poly1305 (RFC 8439) by libsodium; the 96-bit nonce is 4 zero bytes then n little-endian.</summary>
internal sealed unsafe class ChaChaPolyCipher : NoiseCipher
{
    public static readonly ChaChaPolyCipher Instance = new();

    public override string Name => "ChaChaPoly";

    public override void Encrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Sodium.EnsureInitialized();
        Span<byte> npub = stackalloc byte[12];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(npub[4..], nonce);
        fixed (byte* k = key)
        fixed (byte* n = npub)
        fixed (byte* a = ad)
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        {
            Sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                c, c + plaintext.Length, null, m, (ulong)plaintext.Length, a, (ulong)ad.Length, null, n, k);
        }
    }

    public override bool Decrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Sodium.EnsureInitialized();
        Span<byte> npub = stackalloc byte[12];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(npub[4..], nonce);
        var length = ciphertext.Length - TagLength;
        int result;
        fixed (byte* k = key)
        fixed (byte* n = npub)
        fixed (byte* a = ad)
        fixed (byte* c = ciphertext)
        fixed (byte* m = plaintext)
        {
            result = Sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                m, null, c, (ulong)length, c + length, a, (ulong)ad.Length, n, k);
        }
        if (result != 0)
            CryptographicOperations.ZeroMemory(plaintext[..length]);
        return result == 0;
    }
}
