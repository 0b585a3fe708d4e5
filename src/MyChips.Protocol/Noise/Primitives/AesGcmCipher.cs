using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>
/// AES-256-GCM by libsodium (hardware AES only, no object per key); the 96-bit nonce is 4 zero bytes then
/// n big-endian. Where the CPU lacks AES instructions the protocol is refused with a clear error.
/// </summary>
internal sealed unsafe class AesGcmCipher : NoiseCipher
{
    public static readonly AesGcmCipher Instance = new();

    public override string Name => "AESGCM";

    public override void EnsureSupported()
    {
        if (!Sodium.Aes256GcmAvailable)
            throw new NotSupportedException("Noise cipher 'AESGCM' needs a CPU with AES and carry-less multiply instructions; this one has none. Use ChaChaPoly.");
    }

    public override void Encrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        EnsureSupported();
        Span<byte> npub = stackalloc byte[12];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(npub[4..], nonce);
        fixed (byte* k = key)
        fixed (byte* n = npub)
        fixed (byte* a = ad)
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        {
            Sodium.crypto_aead_aes256gcm_encrypt_detached(
                c, c + plaintext.Length, null, m, (ulong)plaintext.Length, a, (ulong)ad.Length, null, n, k);
        }
    }

    public override bool Decrypt(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        EnsureSupported();
        Span<byte> npub = stackalloc byte[12];
        npub[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(npub[4..], nonce);
        var length = ciphertext.Length - TagLength;
        int result;
        fixed (byte* k = key)
        fixed (byte* n = npub)
        fixed (byte* a = ad)
        fixed (byte* c = ciphertext)
        fixed (byte* m = plaintext)
        {
            result = Sodium.crypto_aead_aes256gcm_decrypt_detached(
                m, null, c, (ulong)length, c + length, a, (ulong)ad.Length, n, k);
        }
        if (result != 0)
            CryptographicOperations.ZeroMemory(plaintext[..length]);
        return result == 0;
    }
}
