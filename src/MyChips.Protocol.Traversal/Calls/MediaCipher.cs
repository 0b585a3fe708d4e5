using System.Buffers.Binary;
using NSec.Cryptography;

namespace MyChips.Protocol.Traversal.Calls;

/// <summary>
/// Media datagrams of one call direction: a type byte, a 64-bit big-endian counter, then the payload sealed with
/// ChaCha20-Poly1305 under the direction's key. The nonce is the counter (four zero bytes ahead of it), so it
/// never repeats under one key; the header is authenticated as associated data.
/// </summary>
public static class MediaDatagram
{
    /// <summary>The type byte of a media datagram.</summary>
    public const byte Type = (byte)'M';

    /// <summary>Type byte and counter.</summary>
    public const int HeaderLength = 9;

    /// <summary>The Poly1305 tag.</summary>
    public const int TagLength = 16;

    /// <summary>The largest payload: the datagram then stays within a 1,280-byte IPv6 minimum MTU with room for IP and UDP headers.</summary>
    public const int MaxPayloadLength = 1200;

    /// <summary>The largest datagram a receiver reads as media.</summary>
    public const int MaxLength = HeaderLength + MaxPayloadLength + TagLength;

    internal static AeadAlgorithm Aead => AeadAlgorithm.ChaCha20Poly1305;

    internal static Key ImportKey(byte[] key) =>
        Key.Import(Aead, key ?? throw new ArgumentNullException(nameof(key)), KeyBlobFormat.RawSymmetricKey);

    internal static void WriteNonce(ulong counter, Span<byte> nonce)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }
}

/// <summary>Seals outgoing media of one call; one per sending side, not shared between threads.</summary>
public sealed class MediaSealer : IDisposable
{
    private readonly Key _key;
    private ulong _next;

    public MediaSealer(byte[] sendKey) => _key = MediaDatagram.ImportKey(sendKey);

    /// <summary>The counter the next datagram carries.</summary>
    public ulong NextCounter => _next;

    /// <summary>Seals <paramref name="payload"/> into <paramref name="datagram"/>; returns the datagram's length.</summary>
    public int Seal(ReadOnlySpan<byte> payload, Span<byte> datagram)
    {
        if (payload.Length > MediaDatagram.MaxPayloadLength)
            throw new ArgumentException($"A media payload is at most {MediaDatagram.MaxPayloadLength} bytes.", nameof(payload));
        var length = MediaDatagram.HeaderLength + payload.Length + MediaDatagram.TagLength;
        if (datagram.Length < length) throw new ArgumentException("The datagram buffer is too small.", nameof(datagram));
        if (_next == ulong.MaxValue) throw new InvalidOperationException("The call's counter is spent; set up a new call.");
        var counter = _next++;
        datagram[0] = MediaDatagram.Type;
        BinaryPrimitives.WriteUInt64BigEndian(datagram[1..], counter);
        Span<byte> nonce = stackalloc byte[12];
        MediaDatagram.WriteNonce(counter, nonce);
        MediaDatagram.Aead.Encrypt(_key, nonce, datagram[..MediaDatagram.HeaderLength], payload, datagram[MediaDatagram.HeaderLength..length]);
        return length;
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>Opens incoming media of one call, refusing forgeries and replays; one per receiving side.</summary>
public sealed class MediaOpener : IDisposable
{
    private readonly Key _key;
    private readonly ReplayWindow _window;

    public MediaOpener(byte[] receiveKey, int windowSize = ReplayWindow.DefaultSize)
    {
        _window = new ReplayWindow(windowSize);
        _key = MediaDatagram.ImportKey(receiveKey);
    }

    /// <summary>
    /// Opens <paramref name="datagram"/> into <paramref name="payload"/> (at least <see cref="MediaDatagram.MaxPayloadLength"/>
    /// bytes). Only an authentic, new datagram is <see cref="MediaVerdict.Accepted"/> and moves the window.
    /// </summary>
    public MediaVerdict Open(ReadOnlySpan<byte> datagram, Span<byte> payload, out int payloadLength, out ulong counter)
    {
        payloadLength = 0;
        counter = 0;
        if (datagram.Length < MediaDatagram.HeaderLength + MediaDatagram.TagLength || datagram.Length > MediaDatagram.MaxLength || datagram[0] != MediaDatagram.Type)
            return MediaVerdict.Malformed;
        counter = BinaryPrimitives.ReadUInt64BigEndian(datagram[1..]);
        switch (_window.Check(counter))
        {
            case ReplayVerdict.Replayed: return MediaVerdict.Replayed;
            case ReplayVerdict.TooOld: return MediaVerdict.TooOld;
        }
        var length = datagram.Length - MediaDatagram.HeaderLength - MediaDatagram.TagLength;
        if (payload.Length < length) throw new ArgumentException("The payload buffer is too small.", nameof(payload));
        Span<byte> nonce = stackalloc byte[12];
        MediaDatagram.WriteNonce(counter, nonce);
        if (!MediaDatagram.Aead.Decrypt(_key, nonce, datagram[..MediaDatagram.HeaderLength], datagram[MediaDatagram.HeaderLength..], payload[..length]))
            return MediaVerdict.Forged;
        _window.Accept(counter);
        payloadLength = length;
        return MediaVerdict.Accepted;
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>What became of one received datagram.</summary>
public enum MediaVerdict
{
    /// <summary>Authentic and new: its payload is delivered.</summary>
    Accepted,
    /// <summary>Its counter was seen before: dropped.</summary>
    Replayed,
    /// <summary>Older than the replay window: dropped.</summary>
    TooOld,
    /// <summary>It does not authenticate under the call's key: dropped.</summary>
    Forged,
    /// <summary>Not a media datagram (type or length): dropped.</summary>
    Malformed,
}
