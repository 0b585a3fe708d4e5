using System.Security.Cryptography;
using MyChips.Protocol.Traversal.Calls;

namespace MyChips.Protocol.Traversal.Tests.Calls;

public sealed class MediaCipherTests
{
    [Fact]
    public void Both_sides_derive_matching_keys_one_per_direction()
    {
        using var offerer = CallKeyExchange.Start();
        using var answerer = CallKeyExchange.Start();
        var callId = "call-1"u8.ToArray();

        var offererKeys = offerer.Complete(answerer.PublicKey.Span, callId, isOfferer: true);
        var answererKeys = answerer.Complete(offerer.PublicKey.Span, callId, isOfferer: false);

        Assert.Equal(offererKeys.SendKey, answererKeys.ReceiveKey);
        Assert.Equal(offererKeys.ReceiveKey, answererKeys.SendKey);
        Assert.NotEqual(offererKeys.SendKey, offererKeys.ReceiveKey);
        Assert.NotEqual(offererKeys.SendKey, answerer.Complete(offerer.PublicKey.Span, "call-2"u8, isOfferer: false).ReceiveKey);
    }

    [Fact]
    public void A_bad_peer_key_is_a_clear_error()
    {
        using var side = CallKeyExchange.Start();
        Assert.Throws<ArgumentException>(() => side.Complete(new byte[31], "c"u8, true));
        Assert.Throws<ArgumentException>(() => side.Complete(new byte[32], "c"u8, true)); // the all-zero point
    }

    [Fact]
    public void A_sealed_datagram_opens_once_with_its_payload()
    {
        var (sealer, opener) = Pair();
        var datagram = new byte[MediaDatagram.MaxLength];
        var payload = new byte[MediaDatagram.MaxPayloadLength];

        var length = sealer.Seal("voice"u8, datagram);

        Assert.Equal(MediaVerdict.Accepted, opener.Open(datagram.AsSpan(0, length), payload, out var n, out var counter));
        Assert.Equal("voice"u8.ToArray(), payload[..n]);
        Assert.Equal(0UL, counter);
        Assert.Equal(MediaVerdict.Replayed, opener.Open(datagram.AsSpan(0, length), payload, out _, out _));
    }

    [Theory]
    [InlineData(0)]  // the type byte
    [InlineData(4)]  // the counter
    [InlineData(12)] // the ciphertext
    [InlineData(-1)] // the tag
    public void Any_changed_byte_makes_a_forgery_or_a_stray(int index)
    {
        var (sealer, opener) = Pair();
        var datagram = new byte[MediaDatagram.MaxLength];
        var length = sealer.Seal("some audio bytes"u8, datagram);
        datagram[index < 0 ? length + index : index] ^= 0x01;

        var verdict = opener.Open(datagram.AsSpan(0, length), new byte[MediaDatagram.MaxPayloadLength], out _, out _);

        Assert.Equal(index == 0 ? MediaVerdict.Malformed : MediaVerdict.Forged, verdict);
    }

    [Fact]
    public void A_forgery_does_not_move_the_window()
    {
        var (sealer, opener) = Pair();
        var datagram = new byte[MediaDatagram.MaxLength];
        var length = sealer.Seal("x"u8, datagram);
        var forged = datagram[..length];
        forged[1] = 0x7F; // a counter far ahead, which would push the genuine one out if it were believed

        Assert.Equal(MediaVerdict.Forged, opener.Open(forged, new byte[1200], out _, out _));
        Assert.Equal(MediaVerdict.Accepted, opener.Open(datagram.AsSpan(0, length), new byte[1200], out _, out _));
    }

    [Fact]
    public void Short_long_and_foreign_datagrams_are_malformed()
    {
        var (_, opener) = Pair();
        var payload = new byte[MediaDatagram.MaxPayloadLength];
        Assert.Equal(MediaVerdict.Malformed, opener.Open(new byte[24], payload, out _, out _));
        var tooLong = new byte[MediaDatagram.MaxLength + 1];
        tooLong[0] = MediaDatagram.Type;
        Assert.Equal(MediaVerdict.Malformed, opener.Open(tooLong, payload, out _, out _));
    }

    [Fact]
    public void A_payload_over_the_limit_is_refused_when_sealing()
    {
        var (sealer, _) = Pair();
        Assert.Throws<ArgumentException>(() => sealer.Seal(new byte[MediaDatagram.MaxPayloadLength + 1], new byte[2000]));
    }

    private static (MediaSealer, MediaOpener) Pair()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return (new MediaSealer(key), new MediaOpener(key));
    }
}
