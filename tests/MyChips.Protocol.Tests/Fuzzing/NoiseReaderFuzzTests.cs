using System.Buffers;
using CsCheck;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Noise;
using MyChips.Protocol.Tests.Peers;

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

    private static readonly Gen<PeerMode> Modes = Gen.OneOf<PeerMode>(PeerMode.Strict, PeerMode.MyChipsJs);

    [Fact]
    public void Random_bytes_are_never_a_valid_N_I_or_A() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Byte.Array[0, 200]), t =>
        {
            var (mode, bytes) = t;
            using var responder = PeerDrivers.Responder(Responder, mode);
            Assert.False(responder.TryOpen(PacketType.Declare, bytes, out _));
            using var ticketReader = PeerDrivers.Responder(Responder, mode);
            Assert.False(ticketReader.TryOpen(PacketType.Ticket, bytes, out _));
            // An initiator that sent N and K, answered with random bytes for A.
            using var initiator = PeerDrivers.Initiator(Initiator, Responder.Agent, mode);
            initiator.Seal(PacketType.Declare, AgentIdCodec.ToBytes(Initiator.Agent.ToString()));
            initiator.Seal(PacketType.Knock, "{}"u8);
            Assert.False(initiator.TryOpen(PacketType.Ack, bytes, out _));
            Assert.False(initiator.IsCompleted);
        }, 1_000);

    [Fact]
    public void A_real_N_and_K_with_one_byte_flipped_are_refused() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Int[0, 10_000], Gen.Byte[1, 255]), t =>
        {
            var (mode, position, flip) = t;
            using var initiator = PeerDrivers.Initiator(Initiator, Responder.Agent, mode);
            using var responder = PeerDrivers.Responder(Responder, mode);
            var declare = AgentIdCodec.ToBytes(Initiator.Agent.ToString());
            var n = initiator.Seal(PacketType.Declare, declare);
            var k = initiator.Seal(PacketType.Knock, """{"k":123}"""u8);

            position %= n.Length + k.Length;
            if (position < n.Length) n[position] ^= flip;
            else k[position - n.Length] ^= flip;

            var declared = responder.TryOpen(PacketType.Declare, n, out var payload);
            if (position < n.Length)
            {
                Assert.False(declared);
                return;
            }
            Assert.True(declared);
            Assert.Equal(declare, payload);
            responder.KnowInitiator(Initiator.Agent);
            Assert.False(responder.TryOpen(PacketType.Knock, k, out _));
        }, 1_000);

    [Fact]
    public void Random_transport_frames_after_a_real_handshake_are_refused() =>
        FuzzBudget.Run(Gen.Select(Modes, Gen.Byte.Array[0, 300].Array[1, 5]), t =>
        {
            var (mode, messages) = t;
            using var initiator = PeerDrivers.Initiator(Initiator, Responder.Agent, mode);
            using var responder = PeerDrivers.Responder(Responder, mode);
            var n = initiator.Seal(PacketType.Declare, AgentIdCodec.ToBytes(Initiator.Agent.ToString()));
            var k = initiator.Seal(PacketType.Knock, "{}"u8);
            Assert.True(responder.TryOpen(PacketType.Declare, n, out _));
            responder.KnowInitiator(Initiator.Agent);
            Assert.True(responder.TryOpen(PacketType.Knock, k, out _));
            var a = responder.Seal(PacketType.Ack, []);
            Assert.True(initiator.TryOpen(PacketType.Ack, a, out var payload));
            Assert.Empty(payload);

            var plaintext = new byte[400];
            foreach (var message in messages)
                Assert.False(responder.TryDecryptTransport(new ReadOnlySequence<byte>(message), plaintext.AsSpan(0, Math.Max(0, message.Length - 16))));
            // The session is intact after the garbage: a real message still decrypts.
            var real = new byte[3 + initiator.TransportOverhead];
            initiator.EncryptTransport("{1}"u8, real);
            Assert.True(responder.TryDecryptTransport(new ReadOnlySequence<byte>(real), plaintext.AsSpan(0, 3)));
            Assert.Equal("{1}"u8.ToArray(), plaintext[..3]);
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
