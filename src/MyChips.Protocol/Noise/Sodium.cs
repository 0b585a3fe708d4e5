using System.Runtime.InteropServices;

namespace MyChips.Protocol.Noise;

/// <summary>
/// Direct calls into the libsodium library that NSec.Cryptography ships. Keys stay in caller memory
/// (no NSec Key objects, which are guarded mmap'd memory, per connection).
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    static Sodium()
    {
        // Idempotent; NSec calls it too, but this class may be used first.
        if (sodium_init() < 0)
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init).");
        Aes256GcmAvailable = crypto_aead_aes256gcm_is_available() == 1;
        Blake2bStateBytes = (int)crypto_generichash_blake2b_statebytes();
    }

    /// <summary>Whether the CPU has the instructions libsodium's AES-256-GCM needs.</summary>
    internal static bool Aes256GcmAvailable { get; }

    internal static int Blake2bStateBytes { get; }

    /// <summary>Forces the static initialiser (sodium_init) before any direct call.</summary>
    internal static void EnsureInitialized() => _ = Aes256GcmAvailable;

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    internal static partial void randombytes_buf(byte* buffer, nuint size);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    private static partial int crypto_aead_aes256gcm_is_available();

    [LibraryImport(Library)]
    internal static partial int crypto_aead_aes256gcm_encrypt_detached(
        byte* c, byte* mac, ulong* maclen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    internal static partial int crypto_aead_aes256gcm_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    private static partial nuint crypto_generichash_blake2b_statebytes();

    [LibraryImport(Library)]
    internal static partial int crypto_generichash_blake2b_init(byte* state, byte* key, nuint keylen, nuint outlen);

    [LibraryImport(Library)]
    internal static partial int crypto_generichash_blake2b_update(byte* state, byte* input, ulong inlen);

    [LibraryImport(Library)]
    internal static partial int crypto_generichash_blake2b_final(byte* state, byte* output, nuint outlen);
}
