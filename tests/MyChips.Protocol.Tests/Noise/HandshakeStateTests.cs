using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

public class HandshakeStateTests
{
    private const string IK = "Noise_IK_25519_ChaChaPoly_BLAKE2b";

    [Theory]
    [InlineData("Noise_N_25519_ChaChaPoly_BLAKE2b", new[] { 48 })]
    [InlineData("Noise_KK_25519_ChaChaPoly_BLAKE2b", new[] { 48, 48 })]
    [InlineData(IK, new[] { 96, 48 })]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b", new[] { 32, 96, 64 })]
    [InlineData("Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b", new[] { 48, 48 })]
    public void Message_lengths_are_predicted_and_match_the_wire(string protocol, int[] overheads)
    {
        // The MyCHIPs wire (mychips-wire.md): N frame = 1 + 48 + JSON, I = 1 + 96 + JSON, A = 1 + 48.
        using var pair = new NoisePair(protocol);
        var payload = "{\"x\":1}"u8.ToArray();
        var buffer = new byte[512];
        var received = new byte[512];
        foreach (var overhead in overheads)
        {
            var (writer, reader) = pair.Initiator.WritesNextMessage ? (pair.Initiator, pair.Responder) : (pair.Responder, pair.Initiator);
            Assert.Equal(overhead + payload.Length, writer.GetMessageLength(payload.Length));
            Assert.Equal(overhead + payload.Length, reader.GetMessageLength(payload.Length));
            var length = writer.WriteMessage(payload, buffer);
            Assert.Equal(overhead + payload.Length, length);
            Assert.Equal(payload.Length, reader.GetPayloadLength(length));
            Assert.Equal(payload.Length, reader.ReadMessage(buffer.AsSpan(0, length), received));
            Assert.Equal(payload, received[..payload.Length]);
        }
        Assert.True(pair.Initiator.IsCompleted && pair.Responder.IsCompleted);
    }

    [Fact]
    public void A_failed_read_leaves_the_handshake_as_it_was()
    {
        using var pair = new NoisePair(IK);
        var buffer = new byte[256];
        var payload = new byte[256];
        var length = pair.Initiator.WriteMessage("ticket"u8, buffer);
        var hashBefore = pair.Responder.HandshakeHash.ToArray();

        var tampered = buffer[..length];
        tampered[^1] ^= 0x80;
        var error = Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(tampered, payload));
        Assert.Equal(NoiseError.DecryptionFailed, error.Reason);
        Assert.Equal(hashBefore, pair.Responder.HandshakeHash.ToArray());
        Assert.True(pair.Responder.RemoteStaticPublicKey.IsEmpty);
        Assert.False(pair.Responder.WritesNextMessage);

        var tooShort = Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(buffer.AsSpan(0, 95), payload));
        Assert.Equal(NoiseError.MessageTooShort, tooShort.Reason);

        Assert.Equal(6, pair.Responder.ReadMessage(buffer.AsSpan(0, length), payload));
        Assert.Equal("ticket"u8.ToArray(), payload[..6]);
        Assert.Equal(NoisePair.PublicKey(NoisePair.InitiatorStatic), pair.Responder.RemoteStaticPublicKey.ToArray());
        length = pair.Responder.WriteMessage(default, buffer);
        pair.Initiator.ReadMessage(buffer.AsSpan(0, length), payload);
        Assert.Equal(pair.Initiator.HandshakeHash.ToArray(), pair.Responder.HandshakeHash.ToArray());
    }

    [Fact]
    public void The_handshake_hash_binds_the_channel_and_survives_Split()
    {
        using var first = new NoisePair(IK, fixedEphemerals: false).Complete();
        using var second = new NoisePair(IK, fixedEphemerals: false).Complete();
        Assert.Equal(64, first.Initiator.HandshakeHash.Length);
        Assert.Equal(first.Initiator.HandshakeHash.ToArray(), first.Responder.HandshakeHash.ToArray());
        Assert.NotEqual(first.Initiator.HandshakeHash.ToArray(), second.Initiator.HandshakeHash.ToArray());
    }

    [Fact]
    public void A_different_prologue_makes_the_handshake_fail()
    {
        var protocol = NoiseProtocol.Parse("Noise_NN_25519_ChaChaPoly_BLAKE2b");
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions { Prologue = "v1"u8.ToArray() });
        using var responder = new HandshakeState(protocol, NoiseRole.Responder, new NoiseHandshakeOptions { Prologue = "v2"u8.ToArray() });
        var buffer = new byte[128];
        var length = initiator.WriteMessage(default, buffer);
        responder.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(64));
        length = responder.WriteMessage(default, buffer);
        Assert.Throws<NoiseException>(() => initiator.ReadMessage(buffer.AsSpan(0, length), new byte[16]));
    }

    [Fact]
    public void Missing_or_wrong_keys_are_named()
    {
        var ik = NoiseProtocol.Parse(IK);
        var noRemote = Assert.Throws<ArgumentException>(() => new HandshakeState(ik, NoiseRole.Initiator,
            new NoiseHandshakeOptions { LocalStaticPrivateKey = NoisePair.InitiatorStatic }));
        Assert.Contains("RemoteStaticPublicKey", noRemote.Message, StringComparison.Ordinal);
        var noLocal = Assert.Throws<ArgumentException>(() => new HandshakeState(ik, NoiseRole.Responder));
        Assert.Contains("LocalStaticPrivateKey", noLocal.Message, StringComparison.Ordinal);
        var shortKey = Assert.Throws<ArgumentException>(() => new HandshakeState(ik, NoiseRole.Responder,
            new NoiseHandshakeOptions { LocalStaticPrivateKey = new byte[31] }));
        Assert.Contains("31 bytes", shortKey.Message, StringComparison.Ordinal);
        var psk = NoiseProtocol.Parse("Noise_NNpsk0+psk2_25519_ChaChaPoly_BLAKE2b");
        var noPsk = Assert.Throws<ArgumentException>(() => new HandshakeState(psk, NoiseRole.Initiator,
            new NoiseHandshakeOptions { PreSharedKeys = [new byte[32]] }));
        Assert.Contains("2 pre-shared key(s)", noPsk.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_turn_calls_and_early_Split_are_refused()
    {
        using var pair = new NoisePair(IK);
        Assert.Throws<InvalidOperationException>(() => pair.Responder.WriteMessage(default, new byte[128]));
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.ReadMessage(new byte[48], new byte[16]));
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.Split());
        pair.Complete();
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.WriteMessage(default, new byte[128]));
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.Split());
    }

    [Fact]
    public void A_small_order_peer_key_is_refused_and_the_state_is_kept()
    {
        var protocol = NoiseProtocol.Parse("Noise_NK_25519_ChaChaPoly_BLAKE2b");
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions { RemoteStaticPublicKey = new byte[32] });
        var hashBefore = initiator.HandshakeHash.ToArray();
        var error = Assert.Throws<NoiseException>(() => initiator.WriteMessage(default, new byte[128]));
        Assert.Equal(NoiseError.InvalidPublicKey, error.Reason);
        Assert.Equal(hashBefore, initiator.HandshakeHash.ToArray());
        Assert.True(initiator.WritesNextMessage);
    }

    [Fact]
    public void Handshake_messages_over_65535_bytes_are_refused_in_the_strict_profile()
    {
        using var pair = new NoisePair("Noise_NN_25519_ChaChaPoly_BLAKE2b");
        var error = Assert.Throws<NoiseException>(() => pair.Initiator.WriteMessage(new byte[65535 - 32 + 1], new byte[70_000]));
        Assert.Equal(NoiseError.MessageTooLarge, error.Reason);
        Assert.Equal(65535, pair.Initiator.WriteMessage(new byte[65535 - 32], new byte[70_000]));
        Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(new byte[65536], new byte[70_000]));
    }

    [Fact]
    public void Multiple_psks_must_match_on_both_sides()
    {
        const string name = "Noise_XXpsk0+psk1_25519_ChaChaPoly_BLAKE2b";
        using (var pair = new NoisePair(name, psks: [new byte[32], new byte[32]]))
            pair.Complete();

        var protocol = NoiseProtocol.Parse(name);
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = NoisePair.InitiatorStatic,
            PreSharedKeys = [new byte[32], new byte[32]],
        });
        var otherPsk = Enumerable.Repeat((byte)1, 32).ToArray();
        using var responder = new HandshakeState(protocol, NoiseRole.Responder, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = NoisePair.ResponderStatic,
            PreSharedKeys = [new byte[32], otherPsk],
        });
        var buffer = new byte[256];
        var length = initiator.WriteMessage(default, buffer);
        // psk1 ends the first message, whose payload tag then fails for the responder.
        var error = Assert.Throws<NoiseException>(() => responder.ReadMessage(buffer.AsSpan(0, length), new byte[256]));
        Assert.Equal(NoiseError.DecryptionFailed, error.Reason);
    }

    [Fact]
    public void A_given_local_static_public_key_gives_the_same_handshake_as_a_derived_one()
    {
        var protocol = NoiseProtocol.Parse("Noise_KK_25519_ChaChaPoly_BLAKE2b");
        using var initiator = new HandshakeState(protocol, NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = NoisePair.InitiatorStatic,
            LocalStaticPublicKey = NoisePair.PublicKey(NoisePair.InitiatorStatic),
            RemoteStaticPublicKey = NoisePair.PublicKey(NoisePair.ResponderStatic),
            FixedEphemeralPrivateKey = NoisePair.InitiatorEphemeral,
        });
        Assert.Equal(NoisePair.PublicKey(NoisePair.InitiatorStatic), initiator.LocalStaticPublicKey.ToArray());
        var expected = new byte[128];
        var actual = new byte[128];
        using var reference = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b");
        Assert.Equal(reference.Initiator.WriteMessage("p"u8, expected), initiator.WriteMessage("p"u8, actual));
        Assert.Equal(expected, actual);
    }
}
