using System.Text;
using MyChips.Protocol.Ciyam.Files;

namespace MyChips.Protocol.Ciyam.Storage;

/// <summary>
/// A request to keep, or the answer for fetching, another peer's file, as a small raw blob of <c>key:value</c>
/// lines. A push request (<c>md:raw</c>, <c>pk:</c> the owner's public key, <c>sh:</c> the content hash) asks a
/// peer to fetch and keep the content sealed. A pull answer adds <c>th:</c>, the original content hash, and carries
/// in <c>pk:</c> the storing peer's public half and in <c>sh:</c> the hash of the sealed file.
/// </summary>
public sealed record StorageRequest(byte[] PublicKey, string SourceHash, string? TargetHash = null)
{
    public bool IsPull => TargetHash is not null;

    /// <summary>The owner's push request for content it wants kept: its public key (from the password) and the content hash.</summary>
    public static StorageRequest Push(string contentHash, string password) =>
        new(SealedFile.OwnerKeys(contentHash, password).PublicKey, contentHash);

    /// <summary>The owner opens a sealed file this pull answer points to: the original stored bytes, checked against their hash.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedFile, string password)
    {
        if (TargetHash is null) throw new InvalidOperationException("only a pull answer names the keeper's public key");
        var stored = SealedFile.Open(sealedFile, SealedFile.OwnerKeys(TargetHash, password).PrivateKey, PublicKey);
        return StoredFile.HashOf(stored) == TargetHash ? stored : throw new System.Security.Cryptography.CryptographicException("the opened file does not hash to the content hash");
    }

    /// <summary>The request as stored bytes: a blob.</summary>
    public byte[] ToStored()
    {
        var text = new StringBuilder("md:raw\npk:").Append(Convert.ToBase64String(PublicKey))
            .Append("\nsh:").Append(Convert.ToBase64String(Convert.FromHexString(SourceHash)));
        if (TargetHash is not null) text.Append("\nth:").Append(Convert.ToBase64String(Convert.FromHexString(TargetHash)));
        return StoredFile.Compose(StoredFile.Blob, Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>Reads a stored blob as a request; null for any other file.</summary>
    public static StorageRequest? TryRead(ReadOnlySpan<byte> stored)
    {
        if (stored.Length is < 2 or > 1_000 || stored[0] != StoredFile.Blob) return null;
        var fields = new Dictionary<string, string>();
        foreach (var line in Encoding.ASCII.GetString(stored[1..]).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !fields.TryAdd(line[..colon], line[(colon + 1)..])) return null;
        }
        if (fields.GetValueOrDefault("md") != "raw" || fields.Count > 4) return null;
        var key = Base64(fields.GetValueOrDefault("pk"));
        var source = Base64(fields.GetValueOrDefault("sh"));
        var target = fields.TryGetValue("th", out var th) ? Base64(th) : null;
        if (key is not { Length: SealedFile.KeyLength } || source is not { Length: 32 } || (th is not null && target is not { Length: 32 })) return null;
        return new StorageRequest(key, Convert.ToHexStringLower(source), target is null ? null : Convert.ToHexStringLower(target));
    }

    private static byte[]? Base64(string? text)
    {
        if (text is null) return null;
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
    }
}
