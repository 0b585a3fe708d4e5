using CsCheck;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Noise;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>
/// The Noise handshake readers as the runtime calls them (N, K, I, A, then T), in strict and compatible mode,
/// on random bytes and on real packets with one byte flipped: refused with false or a NoiseException, never accepted, never a crash.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public class NoiseReaderFuzzTests
{
    private static readonly AgentKey Initiator = AgentKey.Generate("127.0.0.1", 1);
    private static readonly AgentKey Responder = AgentKey.Generate("127.0.0.1", 2);

    private static ConnectionCipher Cipher(AgentKey key, PeerMode mode) => NoiseCipherFactory.Create(new PeerNodeOptions { LocalKey = key, Mode = mode });

    private static byte[] ResponderStatic()
    {
        var key = new byte[NoiseStaticKey.Length];
        Assert.True(NoiseStaticKey.TryFromAgent(Responder.Agent, key));
        return key;
    }

    private static byte[] InitiatorStatic()
    {
        var key = new byte[NoiseStaticKey.Length];
        Assert.True(NoiseStaticKey.TryFromAgent(Initiator.Agent, key));
        return key;
    }

    private static readonly Gen<PeerMode> Modes = Gen.OneOf<PeerMode>(PeerMode.Strict, PeerMode.MyChipsJs);

    [Fact]
    public void Random_bytes_are_never_a_valid_N_I_or_A() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Byte.Array[0, 200]), t =>
        {
            var (mode, bytes) = t;
            using var responder = Cipher(Responder, mode);
            Assert.False(responder.TryReadDeclare(bytes, out _));
            using var ticketReader = Cipher(Responder, mode);
            Assert.False(ticketReader.TryReadTicket(bytes, new byte[NoiseStaticKey.Length], out _));
            using var initiator = Cipher(Initiator, mode);
            Assert.False(initiator.TryReadAck(bytes, out _));
        }, 1_000);

    [Fact]
    public void A_real_N_and_K_with_one_byte_flipped_are_refused() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Int[0, 10_000], Gen.Byte[1, 255]), t =>
        {
            var (mode, position, flip) = t;
            using var initiator = Cipher(Initiator, mode);
            using var responder = Cipher(Responder, mode);
            var remote = ResponderStatic();
            var declare = AgentIdCodec.ToBytes(Initiator.Agent.ToString());
            var n = new byte[initiator.DeclareLength(declare.Length)];
            initiator.WriteDeclare(remote, declare, n);
            var k = new byte[initiator.KnockLength(9)];
            initiator.WriteKnock(remote, """{"k":123}"""u8, k);

            position %= n.Length + k.Length;
            if (position < n.Length) n[position] ^= flip;
            else k[position - n.Length] ^= flip;

            var declared = responder.TryReadDeclare(n, out var payload);
            if (position < n.Length)
            {
                Assert.False(declared);
                return;
            }
            Assert.True(declared);
            Assert.Equal(declare, payload);
            Assert.False(responder.TryReadKnock(InitiatorStatic(), k, out _));
        }, 1_000);

    [Fact]
    public void Random_transport_frames_after_a_real_handshake_are_refused() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Byte.Array[0, 300].Array[1, 5]), t =>
        {
            var (mode, messages) = t;
            using var initiator = Cipher(Initiator, mode);
            using var responder = Cipher(Responder, mode);
            var remote = ResponderStatic();
            var declare = AgentIdCodec.ToBytes(Initiator.Agent.ToString());
            var n = new byte[initiator.DeclareLength(declare.Length)];
            initiator.WriteDeclare(remote, declare, n);
            var k = new byte[initiator.KnockLength(2)];
            initiator.WriteKnock(remote, "{}"u8, k);
            Assert.True(responder.TryReadDeclare(n, out _));
            Assert.True(responder.TryReadKnock(InitiatorStatic(), k, out _));
            var a = new byte[responder.AckLength(0)];
            responder.WriteAck([], a);
            Assert.True(initiator.TryReadAck(a, out var payload));
            Assert.Empty(payload);

            var plaintext = new byte[400];
            foreach (var message in messages) Assert.False(responder.TryDecrypt(message, plaintext, out _));
            // The session is intact after the garbage: a real message still decrypts.
            var real = new byte[3 + initiator.TransportOverhead];
            initiator.Encrypt("{1}"u8, real);
            Assert.True(responder.TryDecrypt(real, plaintext, out var written));
            Assert.Equal(3, written);
        }, 500);

    [Fact]
    public void The_handshake_state_refuses_random_first_messages_with_a_NoiseException_only() =>
        FuzzBudget.Run(Gen.Select(Gen.OneOf<string>("Noise_IK_25519_ChaChaPoly_BLAKE2b", "Noise_KK_25519_ChaChaPoly_BLAKE2b", "Noise_N_25519_ChaChaPoly_BLAKE2b"),
            Gen.Byte.Array[0, 200]), t =>
        {
            var (protocol, message) = t;
            using var pair = new NoisePair(protocol);
            Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(message, new byte[300]));
        }, 1_000);
}
