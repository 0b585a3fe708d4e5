using System.Runtime.InteropServices;

namespace MyChips.Protocol.Keys;

/// <summary>
/// The few libsodium functions NSec does not expose, called in the libsodium native library that the
/// NSec.Cryptography package ships (so there is one libsodium in the process).
/// </summary>
internal static partial class LibSodium
{
    private const string Library = "libsodium";

    private static readonly Lazy<bool> Initialized = new(() => sodium_init() >= 0);

    /// <summary>Runs <c>sodium_init</c> once; libsodium documents it as safe to call repeatedly.</summary>
    public static void EnsureInitialized()
    {
        if (!Initialized.Value)
            throw new InvalidOperationException("libsodium could not be initialised (sodium_init failed).");
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    /// <summary>Ed25519 key pair from a 32-byte seed: pk (32) and the 64-byte secret key (seed || pk).</summary>
    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_ed25519_seed_keypair(byte* pk, byte* sk, byte* seed);

    /// <summary>X25519 secret from an Ed25519 secret key: clamp(SHA-512(seed)[0..32]).</summary>
    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_ed25519_sk_to_curve25519(byte* curve25519Sk, byte* ed25519Sk);

    /// <summary>X25519 public key (Montgomery u) from an Ed25519 public key; -1 for an invalid or small-order point.</summary>
    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_ed25519_pk_to_curve25519(byte* curve25519Pk, byte* ed25519Pk);

    /// <summary>X25519 public key of a secret scalar.</summary>
    [LibraryImport(Library)]
    public static unsafe partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);
}
