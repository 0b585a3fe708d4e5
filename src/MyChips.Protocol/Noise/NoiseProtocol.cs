using System.Diagnostics.CodeAnalysis;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Noise;

/// <summary>
/// A Noise protocol built from its name, e.g. <c>Noise_IK_25519_ChaChaPoly_BLAKE2b</c> (spec section 8):
/// the handshake pattern with its modifiers and the DH, cipher and hash functions.
/// </summary>
public sealed class NoiseProtocol
{
    private NoiseProtocol(string name, HandshakePattern pattern, NoiseDh dh, NoiseCipher cipher, string hashName)
    {
        Name = name;
        Pattern = pattern;
        Dh = dh;
        Cipher = cipher;
        HashName = hashName;
    }

    /// <summary>The full protocol name, hashed into the handshake.</summary>
    public string Name { get; }

    public HandshakePattern Pattern { get; }

    /// <summary>"25519" or "448".</summary>
    public string DhName => Dh.Name;

    /// <summary>DHLEN: the length of the public keys (and private keys) this protocol takes, 32 or 56.</summary>
    public int DhLength => Dh.DhLength;

    /// <summary>"ChaChaPoly" or "AESGCM".</summary>
    public string CipherName => Cipher.Name;

    /// <summary>"SHA256", "SHA512", "BLAKE2b" or "BLAKE2s".</summary>
    public string HashName { get; }

    internal NoiseCipher Cipher { get; }

    internal NoiseDh Dh { get; }

    /// <summary>
    /// Parses a protocol name. Throws <see cref="FormatException"/> when the name is malformed and
    /// <see cref="NotSupportedException"/> when a well-formed part is not supported (say, 448 or fallback);
    /// either message names the part.
    /// </summary>
    public static NoiseProtocol Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split('_');
        if (parts.Length != 5 || parts[0] != "Noise")
            throw new FormatException($"'{name}' is not a Noise protocol name: expected Noise_PATTERN_DH_CIPHER_HASH, e.g. Noise_IK_25519_ChaChaPoly_BLAKE2b.");
        if (parts.Any(p => p.Length == 0))
            throw new FormatException($"'{name}' has an empty section: expected Noise_PATTERN_DH_CIPHER_HASH.");
        if (name.Length > 255)
            throw new FormatException($"Noise protocol name is {name.Length} characters; the spec allows 255.");

        var pattern = HandshakePattern.Parse(parts[1]);
        var dh = NoiseDh.FromName(parts[2])
            ?? throw new NotSupportedException($"Noise DH '{parts[2]}' (in '{name}') is not supported; '25519' and '448' are.");
        var cipher = NoiseCipher.FromName(parts[3])
            ?? throw new NotSupportedException($"Noise cipher '{parts[3]}' (in '{name}') is not supported; 'ChaChaPoly' and 'AESGCM' are.");
        if (!NoiseHash.IsKnown(parts[4]))
            throw new NotSupportedException($"Noise hash '{parts[4]}' (in '{name}') is not supported; SHA256, SHA512, BLAKE2b and BLAKE2s are.");
        return new NoiseProtocol(name, pattern, dh, cipher, parts[4]);
    }

    /// <summary>Parses without throwing; false for a malformed or unsupported name.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out NoiseProtocol? protocol)
    {
        protocol = null;
        if (name is null)
            return false;
        try
        {
            protocol = Parse(name);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            return false;
        }
    }

    internal NoiseHash CreateHash() => NoiseHash.Create(HashName);

    public override string ToString() => Name;
}
