using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace MyChips.Protocol.Keys;

/// <summary>
/// A site's peer identity as MyCHIPs writes it: the raw 32-byte Ed25519 public key in base64url
/// without padding (43 characters). Two ids are equal when their texts are equal.
/// </summary>
public readonly struct AgentId : IEquatable<AgentId>
{
    public const int PublicKeyLength = 32;
    public const int TextLength = 43;

    private readonly string? _text;

    private AgentId(string text) => _text = text;

    /// <summary>True for <c>default(AgentId)</c>, which names no agent.</summary>
    public bool IsEmpty => _text is null;

    public static AgentId Parse(string text) =>
        TryParse(text, out var id)
            ? id
            : throw new FormatException(
                $"'{text}' is not an agent id: expected {TextLength} base64url characters encoding a {PublicKeyLength}-byte Ed25519 public key.");

    public static bool TryParse([NotNullWhen(true)] string? text, out AgentId id)
    {
        id = default;
        if (text is null || text.Length != TextLength) return false;
        Span<byte> key = stackalloc byte[PublicKeyLength];
        if (Base64Url.DecodeFromChars(text, key, out var read, out var written) != System.Buffers.OperationStatus.Done
            || read != TextLength || written != PublicKeyLength)
            return false;
        // Reject non-canonical spellings (stray low bits in the last character) so one key has one id.
        if (Base64Url.EncodeToString(key) != text) return false;
        id = new AgentId(text);
        return true;
    }

    public static AgentId FromPublicKey(ReadOnlySpan<byte> ed25519PublicKey)
    {
        if (ed25519PublicKey.Length != PublicKeyLength)
            throw new ArgumentException($"An Ed25519 public key is {PublicKeyLength} bytes, not {ed25519PublicKey.Length}.", nameof(ed25519PublicKey));
        return new AgentId(Base64Url.EncodeToString(ed25519PublicKey));
    }

    /// <summary>Writes the 32-byte Ed25519 public key this id names.</summary>
    public void CopyPublicKeyTo(Span<byte> destination)
    {
        if (_text is null) throw new InvalidOperationException("The empty agent id has no public key.");
        Base64Url.DecodeFromChars(_text, destination[..PublicKeyLength], out _, out _);
    }

    public byte[] ToPublicKey()
    {
        var key = new byte[PublicKeyLength];
        CopyPublicKeyTo(key);
        return key;
    }

    public override string ToString() => _text ?? "";

    public bool Equals(AgentId other) => string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is AgentId other && Equals(other);

    public override int GetHashCode() => _text is null ? 0 : StringComparer.Ordinal.GetHashCode(_text);

    public static bool operator ==(AgentId left, AgentId right) => left.Equals(right);

    public static bool operator !=(AgentId left, AgentId right) => !left.Equals(right);
}
