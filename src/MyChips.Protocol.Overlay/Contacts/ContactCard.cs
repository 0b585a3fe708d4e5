using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Overlay.Contacts;

/// <summary>
/// What a node hands to one contact: its Noise static public key and an encrypted id, a token only the issuer can
/// map back to the contact it was made for. The token rides inside sealed find-me packets, so the issuer knows
/// who is calling and an observer sees neither.
/// </summary>
public sealed record ContactCard(ReadOnlyMemory<byte> PublicKey, ReadOnlyMemory<byte> Token)
{
    private const string Prefix = "overlay-card:";

    /// <summary>The card as one line of text: <c>overlay-card:</c>, the public key and the token in base64url.</summary>
    public override string ToString() => $"{Prefix}{Base64Url(PublicKey.Span)}.{Base64Url(Token.Span)}";

    /// <summary>Parses <see cref="ToString"/>'s form; false for anything else.</summary>
    public static bool TryParse(string? text, out ContactCard card)
    {
        card = null!;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = text[Prefix.Length..].Split('.');
        if (parts.Length != 2) return false;
        try
        {
            var key = FromBase64Url(parts[0]);
            var token = FromBase64Url(parts[1]);
            if (key.Length != X25519Keys.KeyLength || token.Length is 0 or > ContactTokens.MaxTokenLength) return false;
            card = new ContactCard(key, token);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public bool Equals(ContactCard? other) =>
        other is not null && PublicKey.Span.SequenceEqual(other.PublicKey.Span) && Token.Span.SequenceEqual(other.Token.Span);

    public override int GetHashCode() => HashCode.Combine(PublicKey.Length, Token.Length);

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
