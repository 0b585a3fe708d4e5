using System.Security.Cryptography;

namespace MyChips.Protocol.Ciyam.Files;

/// <summary>
/// A file as CIYAM stores it: one type byte, then the payload. Its name is the lowercase hex SHA-256 of those
/// stored bytes, so a file is its own checksum.
/// </summary>
public static class StoredFile
{
    /// <summary>The type byte of a plain blob.</summary>
    public const byte Blob = 0x01;

    /// <summary>The type bit of a file kept encrypted for its owner.</summary>
    public const byte EncryptedFlag = 0x04;

    /// <summary>The stored bytes of a payload: the type byte in front.</summary>
    public static byte[] Compose(byte type, ReadOnlySpan<byte> payload)
    {
        var stored = new byte[1 + payload.Length];
        stored[0] = type;
        payload.CopyTo(stored.AsSpan(1));
        return stored;
    }

    /// <summary>The file's hash: lowercase hex SHA-256 of its stored bytes (64 characters).</summary>
    public static string HashOf(ReadOnlySpan<byte> stored) => Convert.ToHexStringLower(SHA256.HashData(stored));

    /// <summary>
    /// The answer to <c>chk &lt;hash&gt; &lt;nonce&gt;</c>: lowercase hex SHA-256 of the nonce's characters followed
    /// by the stored bytes. Only a peer that holds the bytes can compute it for a nonce it has not seen.
    /// </summary>
    public static string ProofOfStorage(string nonce, ReadOnlySpan<byte> stored)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(nonce));
        hash.AppendData(stored);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True for a well-formed hash: 64 lowercase hex digits.</summary>
    public static bool IsHash(string? text) =>
        text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
