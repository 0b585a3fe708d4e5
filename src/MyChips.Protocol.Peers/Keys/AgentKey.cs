using System.Security.Cryptography;

namespace MyChips.Protocol.Keys;

/// <summary>
/// A site's own peer identity: its Ed25519 key pair (the public key is its <see cref="AgentId"/>), where
/// it listens, and the X25519 Noise static key pair derived from the Ed25519 keys as MyCHIPs derives
/// them (libsodium's <c>crypto_sign_ed25519_sk_to_curve25519</c> / <c>_pk_to_curve25519</c>).
/// Secrets live in pinned arrays that <see cref="Dispose"/> zeroes; reading them afterwards throws.
/// </summary>
public sealed class AgentKey : IDisposable
{
    public const int SeedLength = 32;
    public const int SecretKeyLength = 64;

    // Pinned so the garbage collector never leaves a copy behind that Dispose cannot zero.
    private readonly byte[] _secretKey = GC.AllocateArray<byte>(SecretKeyLength, pinned: true);
    private readonly byte[] _noisePrivateKey = GC.AllocateArray<byte>(NoiseStaticKey.Length, pinned: true);
    private readonly byte[] _publicKey = new byte[AgentId.PublicKeyLength];
    private readonly byte[] _noisePublicKey = new byte[NoiseStaticKey.Length];
    private bool _disposed;

    private AgentKey(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0 to 65535 (0: any free port when listening).");
        Host = host;
        Port = port;
    }

    public AgentId Agent { get; private set; }

    public string Host { get; }

    /// <summary>The port the site listens on; 0 asks for any free port.</summary>
    public int Port { get; }

    /// <summary>The Ed25519 public key (32 bytes) the agent id names.</summary>
    public ReadOnlySpan<byte> Ed25519PublicKey => _publicKey;

    /// <summary>The 32-byte Ed25519 seed (the JWK's <c>d</c>). Secret.</summary>
    public ReadOnlySpan<byte> Ed25519Seed => Secret(_secretKey).AsSpan(0, SeedLength);

    /// <summary>libsodium's 64-byte Ed25519 secret key: seed then public key. Secret.</summary>
    public ReadOnlySpan<byte> Ed25519SecretKey => Secret(_secretKey);

    /// <summary>The Noise static private key (X25519, clamped). Secret.</summary>
    public ReadOnlySpan<byte> NoisePrivateKey => Secret(_noisePrivateKey);

    /// <summary>The Noise static public key (X25519) that peers derive from the agent id.</summary>
    public ReadOnlySpan<byte> NoisePublicKey => _noisePublicKey;

    /// <summary>A new identity from a fresh random seed.</summary>
    public static AgentKey Generate(string host, int port)
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return FromSeed(seed, host, port);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The identity a 32-byte Ed25519 seed determines (the same seed always gives the same agent).</summary>
    public static unsafe AgentKey FromSeed(ReadOnlySpan<byte> seed, string host, int port)
    {
        if (seed.Length != SeedLength)
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        var key = new AgentKey(host, port);
        LibSodium.EnsureInitialized();
        fixed (byte* s = seed)
        fixed (byte* pk = key._publicKey)
        fixed (byte* sk = key._secretKey)
        fixed (byte* xs = key._noisePrivateKey)
        fixed (byte* xp = key._noisePublicKey)
        {
            if (LibSodium.crypto_sign_ed25519_seed_keypair(pk, sk, s) != 0
                || LibSodium.crypto_sign_ed25519_sk_to_curve25519(xs, sk) != 0
                || LibSodium.crypto_scalarmult_curve25519_base(xp, xs) != 0)
            {
                key.Dispose();
                throw new CryptographicException("libsodium could not derive the key pairs from the seed.");
            }
        }
        key.Agent = AgentId.FromPublicKey(key._publicKey);
        return key;
    }

    /// <summary>The same identity at another host or port (a new object; dispose both).</summary>
    public AgentKey WithEndpoint(string host, int port) => FromSeed(Ed25519Seed, host, port);

    /// <summary>What a peer stores about this site.</summary>
    public AgentRecord ToRecord() => AgentRecord.FromId(Agent, Host, Port);

    /// <summary>The CHIP address of a user of this site.</summary>
    public ChipAddress AddressOf(string cuid) => new(cuid, Agent, Host, Port);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secretKey);
        CryptographicOperations.ZeroMemory(_noisePrivateKey);
    }

    public override string ToString() => $"{Agent}@{Host}:{Port}";

    private byte[] Secret(byte[] secret)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return secret;
    }
}
