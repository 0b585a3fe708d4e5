using System.Text;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Overlay.Messaging;

/// <summary>What a find-me packet carries, readable by its recipient only.</summary>
/// <param name="SenderPublicKey">The sender's Noise static key, proven by the seal (the recipient connects back and expects it).</param>
/// <param name="Token">The encrypted id the recipient gave the sender: it tells the recipient which contact calls.</param>
/// <param name="Addresses">Where the sender accepts connections now.</param>
public sealed record FindMeContent(ReadOnlyMemory<byte> SenderPublicKey, ReadOnlyMemory<byte> Token, IReadOnlyList<string> Addresses);

/// <summary>
/// Seals a find-me to one public key with the one-way Noise pattern X: an ephemeral key and the sender's static
/// key, both mixed with the recipient's, so only the recipient can open it, and an opened seal proves the sender
/// holds the key it names. Any other node sees random bytes.
/// </summary>
public static class FindMeSeal
{
    /// <summary>The most bytes a seal may have; larger find-me packets are dropped.</summary>
    public const int MaxSealedLength = 1024;

    private const int MaxAddresses = 8;
    private const int MaxAddressLength = 100;
    private static readonly NoiseProtocol Protocol = NoiseProtocol.Parse("Noise_X_25519_ChaChaPoly_BLAKE2b");
    private static readonly byte[] Prologue = "overlay find-me 1"u8.ToArray();

    public static byte[] Seal(ReadOnlyMemory<byte> senderPrivateKey, ReadOnlyMemory<byte> recipientPublicKey, FindMeContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var payload = Encode(content);
        using var handshake = new HandshakeState(Protocol, NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            Prologue = Prologue,
            LocalStaticPrivateKey = senderPrivateKey,
            RemoteStaticPublicKey = recipientPublicKey,
        });
        var sealedBytes = new byte[handshake.GetMessageLength(payload.Length)];
        var written = handshake.WriteMessage(payload, sealedBytes);
        if (written > MaxSealedLength) throw new ArgumentException("The find-me content is too large to seal.", nameof(content));
        return sealedBytes[..written];
    }

    /// <summary>Opens a seal made for <paramref name="recipientPrivateKey"/>; false for one made for anyone else, or bytes that are no seal.</summary>
    public static bool TryOpen(ReadOnlyMemory<byte> recipientPrivateKey, ReadOnlySpan<byte> sealedBytes, out FindMeContent content)
    {
        content = null!;
        if (sealedBytes.Length > MaxSealedLength) return false;
        try
        {
            using var handshake = new HandshakeState(Protocol, NoiseRole.Responder, new NoiseHandshakeOptions
            {
                Prologue = Prologue,
                LocalStaticPrivateKey = recipientPrivateKey,
            });
            var payload = new byte[sealedBytes.Length];
            var length = handshake.ReadMessage(sealedBytes, payload);
            if (!TryDecode(payload.AsSpan(0, length), out var token, out var addresses)) return false;
            content = new FindMeContent(handshake.RemoteStaticPublicKey.ToArray(), token, addresses);
            return true;
        }
        catch (NoiseException)
        {
            return false;
        }
    }

    // token length (1 byte), token, address count (1 byte), then each address as its length (1 byte) and UTF-8
    private static byte[] Encode(FindMeContent content)
    {
        if (content.Token.Length is 0 or > 255) throw new ArgumentException("A token is 1 to 255 bytes.", nameof(content));
        if (content.Addresses.Count > MaxAddresses) throw new ArgumentException($"At most {MaxAddresses} addresses.", nameof(content));
        var buffer = new List<byte>(64) { (byte)content.Token.Length };
        buffer.AddRange(content.Token.ToArray());
        buffer.Add((byte)content.Addresses.Count);
        foreach (var address in content.Addresses)
        {
            var bytes = Encoding.UTF8.GetBytes(address);
            if (bytes.Length > MaxAddressLength) throw new ArgumentException($"An address is at most {MaxAddressLength} bytes.", nameof(content));
            buffer.Add((byte)bytes.Length);
            buffer.AddRange(bytes);
        }
        return buffer.ToArray();
    }

    private static bool TryDecode(ReadOnlySpan<byte> payload, out byte[] token, out IReadOnlyList<string> addresses)
    {
        token = [];
        addresses = [];
        if (payload.Length < 2 || payload[0] == 0 || payload.Length < 2 + payload[0]) return false;
        token = payload.Slice(1, payload[0]).ToArray();
        var rest = payload[(1 + payload[0])..];
        int count = rest[0];
        if (count > MaxAddresses) return false;
        rest = rest[1..];
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 1 || rest.Length < 1 + rest[0] || rest[0] > MaxAddressLength) return false;
            list.Add(Encoding.UTF8.GetString(rest.Slice(1, rest[0])));
            rest = rest[(1 + rest[0])..];
        }
        addresses = list;
        return rest.IsEmpty;
    }
}
