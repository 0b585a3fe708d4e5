using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MyChips.Protocol.Overlay.Contacts;

/// <summary>
/// Issues and redeems encrypted ids. A token is a random nonce and, sealed under a secret only the issuer holds,
/// the serial number of the card. Tokens look random to everyone else, differ per contact, and all die together
/// when the secret is regenerated.
/// </summary>
public sealed class ContactTokens
{
    /// <summary>The length of every token this class issues; cards with longer tokens are refused.</summary>
    public const int MaxTokenLength = NonceLength + SerialLength + TagLength;

    private const int NonceLength = 12;
    private const int SerialLength = 8;
    private const int TagLength = 16;

    private readonly byte[] _secret;
    private long _lastSerial;

    /// <summary>Tokens under a fresh secret, or a stored one (32 bytes) after the serials issued under it so far.</summary>
    public ContactTokens(ReadOnlySpan<byte> secret = default, long lastSerial = 0)
    {
        _lastSerial = lastSerial;
        _secret = secret.IsEmpty ? RandomNumberGenerator.GetBytes(32) : secret.ToArray();
        if (_secret.Length != 32) throw new ArgumentException("A token secret is 32 bytes.", nameof(secret));
    }

    /// <summary>The secret, to store beside the identity.</summary>
    public ReadOnlyMemory<byte> Secret => _secret;

    /// <summary>A new token carrying <paramref name="serial"/>.</summary>
    public byte[] Issue(long serial)
    {
        var token = new byte[MaxTokenLength];
        RandomNumberGenerator.Fill(token.AsSpan(0, NonceLength));
        Span<byte> plain = stackalloc byte[SerialLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, serial);
        using var aead = new ChaCha20Poly1305(_secret);
        aead.Encrypt(token.AsSpan(0, NonceLength), plain, token.AsSpan(NonceLength, SerialLength), token.AsSpan(NonceLength + SerialLength));
        _lastSerial = Math.Max(_lastSerial, serial);
        return token;
    }

    /// <summary>The serial inside a token issued under this secret; false for any other bytes.</summary>
    public bool TryRedeem(ReadOnlySpan<byte> token, out long serial)
    {
        serial = 0;
        if (token.Length != MaxTokenLength) return false;
        Span<byte> plain = stackalloc byte[SerialLength];
        try
        {
            using var aead = new ChaCha20Poly1305(_secret);
            aead.Decrypt(token[..NonceLength], token.Slice(NonceLength, SerialLength), token[(NonceLength + SerialLength)..], plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        serial = BinaryPrimitives.ReadInt64BigEndian(plain);
        return true;
    }

    /// <summary>The highest serial issued so far (to store with the secret).</summary>
    public long LastSerial => Interlocked.Read(ref _lastSerial);

    internal long NextSerial() => Interlocked.Increment(ref _lastSerial);
}
