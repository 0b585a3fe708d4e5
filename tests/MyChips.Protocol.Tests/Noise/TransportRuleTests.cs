using System.Text;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>The transport rules other implementations got wrong: nonces, limits, rekey.</summary>
public class TransportRuleTests
{
    private const string KK = "Noise_KK_25519_ChaChaPoly_BLAKE2b";

    [Theory]
    [InlineData(KK)]
    [InlineData("Noise_KK_25519_AESGCM_SHA256")]
    public void Messages_round_trip_both_ways(string protocol)
    {
        using var pair = new NoisePair(protocol).Complete();
        AssertDelivers(pair.InitiatorTransport!, pair.ResponderTransport!, "to the responder");
        AssertDelivers(pair.ResponderTransport!, pair.InitiatorTransport!, "to the initiator");
        Assert.Equal(1UL, pair.InitiatorTransport!.SendNonce);
        Assert.Equal(1UL, pair.InitiatorTransport.ReceiveNonce);
    }

    [Fact]
    public void A_failed_decrypt_leaves_the_nonce_and_the_next_good_message_still_decrypts()
    {
        using var pair = new NoisePair(KK).Complete();
        var ciphertext = new byte[64];
        var length = pair.InitiatorTransport!.Encrypt("hello"u8, ciphertext);
        var tampered = ciphertext.AsSpan(0, length).ToArray();
        tampered[2] ^= 1;
        var plaintext = new byte[64];

        var error = Assert.Throws<NoiseException>(() => pair.ResponderTransport!.Decrypt(tampered, plaintext));
        Assert.Equal(NoiseError.DecryptionFailed, error.Reason);
        Assert.Equal(0UL, pair.ResponderTransport!.ReceiveNonce);
        Assert.False(pair.ResponderTransport.TryDecrypt(tampered, plaintext, out var written));
        Assert.Equal(0, written);
        Assert.Equal(0UL, pair.ResponderTransport.ReceiveNonce);

        Assert.True(pair.ResponderTransport.TryDecrypt(ciphertext.AsSpan(0, length), plaintext, out written));
        Assert.Equal("hello"u8.ToArray(), plaintext[..written]);
        Assert.Equal(1UL, pair.ResponderTransport.ReceiveNonce);
    }

    [Fact]
    public void A_message_shorter_than_the_tag_is_refused_without_moving_the_nonce()
    {
        using var pair = new NoisePair(KK).Complete();
        var error = Assert.Throws<NoiseException>(() => pair.ResponderTransport!.Decrypt(new byte[15], new byte[16]));
        Assert.Equal(NoiseError.MessageTooShort, error.Reason);
        Assert.Equal(0UL, pair.ResponderTransport!.ReceiveNonce);
    }

    [Fact]
    public void The_strict_profile_allows_65535_bytes_and_refuses_65536()
    {
        using var pair = new NoisePair(KK).Complete();
        var buffer = new byte[70_000];
        Assert.Equal(65535, pair.InitiatorTransport!.Encrypt(new byte[65535 - 16], buffer));
        Assert.Equal(65535 - 16, pair.ResponderTransport!.Decrypt(buffer.AsSpan(0, 65535), buffer));

        var tooLarge = Assert.Throws<NoiseException>(() => pair.InitiatorTransport.Encrypt(new byte[65535 - 16 + 1], buffer));
        Assert.Equal(NoiseError.MessageTooLarge, tooLarge.Reason);
        Assert.Equal(1UL, pair.InitiatorTransport.SendNonce);

        var refused = Assert.Throws<NoiseException>(() => pair.ResponderTransport.Decrypt(new byte[65536], buffer));
        Assert.Equal(NoiseError.MessageTooLarge, refused.Reason);
        Assert.False(pair.ResponderTransport.TryDecrypt(new byte[65536], buffer, out _));
        Assert.Equal(1UL, pair.ResponderTransport.ReceiveNonce);
    }

    [Fact]
    public void The_reserved_nonce_is_never_used_to_send()
    {
        using var pair = new NoisePair(KK).Complete();
        var buffer = new byte[64];
        pair.InitiatorTransport!.SetSendNonce(CipherState.MaxNonce - 1);
        pair.InitiatorTransport.Encrypt("last"u8, buffer);
        Assert.Equal(CipherState.MaxNonce, pair.InitiatorTransport.SendNonce);

        var error = Assert.Throws<NoiseException>(() => pair.InitiatorTransport.Encrypt("one more"u8, buffer));
        Assert.Equal(NoiseError.NonceExhausted, error.Reason);
        Assert.Equal(CipherState.MaxNonce, pair.InitiatorTransport.SendNonce);
    }

    [Fact]
    public void The_reserved_nonce_is_never_used_to_receive()
    {
        using var pair = new NoisePair(KK).Complete();
        var buffer = new byte[64];
        var length = pair.InitiatorTransport!.Encrypt("x"u8, buffer);
        pair.ResponderTransport!.SetReceiveNonce(CipherState.MaxNonce);
        var error = Assert.Throws<NoiseException>(() => pair.ResponderTransport.Decrypt(buffer.AsSpan(0, length), new byte[64]));
        Assert.Equal(NoiseError.NonceExhausted, error.Reason);
    }

    [Fact]
    public void Rekey_changes_the_key_and_both_sides_must_rekey_together()
    {
        using var pair = new NoisePair(KK).Complete();
        var sender = pair.InitiatorTransport!;
        var receiver = pair.ResponderTransport!;
        var keyBefore = sender.SendState!.Key.ToArray();

        sender.RekeySend();
        Assert.NotEqual(keyBefore, sender.SendState.Key.ToArray());
        Assert.Equal(0UL, sender.SendNonce);

        var buffer = new byte[64];
        var length = sender.Encrypt("after rekey"u8, buffer);
        Assert.False(receiver.TryDecrypt(buffer.AsSpan(0, length), new byte[64], out _));

        receiver.RekeyReceive();
        Assert.Equal(sender.SendState.Key.ToArray(), receiver.ReceiveState!.Key.ToArray());
        var plaintext = new byte[64];
        Assert.True(receiver.TryDecrypt(buffer.AsSpan(0, length), plaintext, out var written));
        Assert.Equal("after rekey"u8.ToArray(), plaintext[..written]);
    }

    [Fact]
    public void Rekey_is_the_first_32_bytes_of_encrypting_zeros_at_the_max_nonce()
    {
        using var pair = new NoisePair(KK).Complete();
        var state = pair.InitiatorTransport!.SendState!;
        var expected = new byte[48];
        var copy = NoiseProtocol.Parse(KK).Cipher;
        copy.Encrypt(state.Key, CipherState.MaxNonce, default, new byte[32], expected);
        state.Rekey();
        Assert.Equal(expected[..32], state.Key.ToArray());
    }

    [Fact]
    public void Encrypt_and_decrypt_work_in_place()
    {
        using var pair = new NoisePair(KK).Complete();
        var message = Encoding.ASCII.GetBytes("in place, no copy");
        var buffer = new byte[message.Length + NoiseTransport.TagLength];
        message.CopyTo(buffer, 0);
        var length = pair.InitiatorTransport!.Encrypt(buffer.AsSpan(0, message.Length), buffer);
        Assert.NotEqual(message, buffer[..message.Length]);
        var written = pair.ResponderTransport!.Decrypt(buffer.AsSpan(0, length), buffer);
        Assert.Equal(message, buffer[..written]);
    }

    [Fact]
    public void A_small_destination_is_a_caller_error()
    {
        using var pair = new NoisePair(KK).Complete();
        Assert.Throws<ArgumentException>(() => pair.InitiatorTransport!.Encrypt(new byte[10], new byte[25]));
        Assert.Equal(0UL, pair.InitiatorTransport!.SendNonce);
    }

    [Fact]
    public void After_a_one_way_handshake_only_the_initiator_sends()
    {
        using var pair = new NoisePair("Noise_N_25519_ChaChaPoly_BLAKE2b").Complete();
        Assert.True(pair.InitiatorTransport!.CanSend);
        Assert.False(pair.InitiatorTransport.CanReceive);
        Assert.False(pair.ResponderTransport!.CanSend);
        Assert.Throws<InvalidOperationException>(() => pair.ResponderTransport.Encrypt("no"u8, new byte[32]));
        AssertDelivers(pair.InitiatorTransport, pair.ResponderTransport, "one way");
    }

    [Fact]
    public void A_disposed_transport_refuses_to_work()
    {
        var pair = new NoisePair(KK).Complete();
        pair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pair.InitiatorTransport!.Encrypt("x"u8, new byte[32]));
    }

    private static void AssertDelivers(NoiseTransport sender, NoiseTransport receiver, string text)
    {
        var plaintext = Encoding.UTF8.GetBytes(text);
        var ciphertext = new byte[plaintext.Length + NoiseTransport.TagLength];
        Assert.Equal(ciphertext.Length, sender.Encrypt(plaintext, ciphertext));
        var received = new byte[plaintext.Length];
        Assert.Equal(plaintext.Length, receiver.Decrypt(ciphertext, received));
        Assert.Equal(plaintext, received);
    }
}
