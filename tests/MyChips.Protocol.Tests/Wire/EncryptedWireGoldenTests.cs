using System.Buffers;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Framing;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.Wire;

/// <summary>
/// The encrypted wire format of every packet type, pinned by golden files. Static and ephemeral keys
/// are fixed, so the bytes depend on nothing random: any change to the framing, the Noise patterns,
/// the payloads or the transport key assignment shows up as a diff.
/// </summary>
public sealed class EncryptedWireGoldenTests : IDisposable
{
    private const string Suite = "_25519_ChaChaPoly_BLAKE2b";

    private readonly AgentKey _initiator = AgentKey.FromSeed(Filled(0x11), "peer-b.example", 65431);
    private readonly AgentKey _responder = AgentKey.FromSeed(Filled(0x22), "peer-a.example", 65430);

    public static TheoryData<string> Profiles => new("strict", "compat");

    [Fact]
    public void Later_connection_handshake_matches_its_golden_files()
    {
        var declare = Handshake("N", NoiseRole.Initiator, Filled(0x31), withLocalStatic: false);
        var declared = FrameOf(PacketType.Declare, declare.Write(WirePackets.Get("Declare").Plaintext));
        WireGolden.Verify("noise.Declare", declared, "Declare 'N': Noise_N message 1, fixed keys");

        using var pair = KnockAndAck(NoiseProfile.Strict, out var knock, out var ack);
        WireGolden.Verify("noise.Knock", knock, "Knock 'K': Noise_KK message 1, fixed keys");
        WireGolden.Verify("noise.Ack-KK", ack, "Ack 'A': Noise_KK message 2, fixed keys");
        declare.State.Dispose();
    }

    [Fact]
    public void Ticket_handshake_matches_its_golden_files()
    {
        var initiator = Handshake("IK", NoiseRole.Initiator, Filled(0x41));
        var responder = Handshake("IK", NoiseRole.Responder, Filled(0x42), withRemoteStatic: false);

        var ticket = FrameOf(PacketType.Ticket, initiator.Write(WirePackets.Get("Ticket").Plaintext));
        Assert.Equal(WirePackets.Get("Ticket").Plaintext, responder.Read(BodyOf(ticket)));
        var ack = FrameOf(PacketType.Ack, responder.Write([]));
        Assert.Empty(initiator.Read(BodyOf(ack)));

        WireGolden.Verify("noise.Ticket", ticket, "Ticket 'I': Noise_IK message 1, fixed keys");
        WireGolden.Verify("noise.Ack-IK", ack, "Ack 'A': Noise_IK message 2, fixed keys");
        Assert.Equal(_initiator.NoisePublicKey, responder.State.RemoteStaticPublicKey);
        initiator.State.Dispose();
        responder.State.Dispose();
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Transport_packets_match_their_golden_files(string profileName)
    {
        var profile = profileName == "strict" ? NoiseProfile.Strict : NoiseProfile.JavaScriptCompatible;
        using var pair = KnockAndAck(profile, out _, out _);
        var transportPackets = WirePackets.All.Where(p => p.Type.GetInfo().Stage == PacketStage.Transport).ToList();
        Assert.NotEmpty(transportPackets);

        foreach (var packet in transportPackets)
        {
            var sealedBody = new byte[packet.Plaintext.Length + 16];
            pair.Initiator.Encrypt(packet.Plaintext, sealedBody);
            var frame = FrameOf(packet.Type, sealedBody);

            var opened = new byte[packet.Plaintext.Length];
            Assert.Equal(opened.Length, pair.Responder.Decrypt(BodyOf(frame), opened));
            Assert.Equal(packet.Plaintext, opened);
            WireGolden.Verify($"{profileName}.{packet.Name}", frame,
                $"{packet.Name} '{packet.Type.GetInfo().Keyword}': the initiator's first transport message, {profileName} profile");
        }
    }

    [Fact]
    public void Frame_lengths_are_those_the_JavaScript_peer_puts_on_the_wire()
    {
        // ../shared/mychips-wire.md, "Sizes seen on the wire": N 94, K = JSON + 49, I = JSON + 97, A 49, T = JSON + 17.
        var declare = Handshake("N", NoiseRole.Initiator, Filled(0x31), withLocalStatic: false);
        var declared = FrameOf(PacketType.Declare, declare.Write(WirePackets.Get("Declare").Plaintext));
        declare.State.Dispose();
        using var pair = KnockAndAck(NoiseProfile.JavaScriptCompatible, out var knock, out var ack);
        var ticketer = Handshake("IK", NoiseRole.Initiator, Filled(0x41));
        var ticket = FrameOf(PacketType.Ticket, ticketer.Write(WirePackets.Get("Ticket").Plaintext));
        ticketer.State.Dispose();
        var transport = FrameOf(PacketType.Transport, Seal(pair.Initiator, WirePackets.Get("Transport").Plaintext));

        Assert.Equal(94, LengthField(declared));
        Assert.Equal(WirePackets.Get("Knock").Plaintext.Length + 49, LengthField(knock));
        Assert.Equal(WirePackets.Get("Ticket").Plaintext.Length + 97, LengthField(ticket));
        Assert.Equal(49, LengthField(ack));
        Assert.Equal(WirePackets.Get("Transport").Plaintext.Length + 17, LengthField(transport));
    }

    [Fact]
    public void The_profiles_differ_only_in_which_split_key_the_initiator_sends_with()
    {
        using var strict = KnockAndAck(NoiseProfile.Strict, out var strictKnock, out var strictAck);
        using var compat = KnockAndAck(NoiseProfile.JavaScriptCompatible, out var compatKnock, out var compatAck);
        var message = WirePackets.Get("Transport").Plaintext;

        var fromStrictInitiator = Seal(strict.Initiator, message);
        var fromCompatResponder = Seal(compat.Responder, message);

        Assert.Equal(strictKnock, compatKnock);
        Assert.Equal(strictAck, compatAck);
        Assert.Equal(fromStrictInitiator, fromCompatResponder);
    }

    public void Dispose()
    {
        _initiator.Dispose();
        _responder.Dispose();
    }

    private TransportPair KnockAndAck(NoiseProfile profile, out byte[] knock, out byte[] ack)
    {
        var initiator = Handshake("KK", NoiseRole.Initiator, Filled(0x32), profile: profile);
        var responder = Handshake("KK", NoiseRole.Responder, Filled(0x33), profile: profile);
        knock = FrameOf(PacketType.Knock, initiator.Write(WirePackets.Get("Knock").Plaintext));
        Assert.Equal(WirePackets.Get("Knock").Plaintext, responder.Read(BodyOf(knock)));
        ack = FrameOf(PacketType.Ack, responder.Write([]));
        Assert.Empty(initiator.Read(BodyOf(ack)));
        Assert.Equal(initiator.State.HandshakeHash.ToArray(), responder.State.HandshakeHash.ToArray());
        return new TransportPair(initiator.Split(), responder.Split());
    }

    private Party Handshake(string pattern, NoiseRole role, byte[] ephemeral, bool withLocalStatic = true,
        bool withRemoteStatic = true, NoiseProfile? profile = null)
    {
        var local = role == NoiseRole.Initiator ? _initiator : _responder;
        var remote = role == NoiseRole.Initiator ? _responder : _initiator;
        var options = new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = withLocalStatic ? local.NoisePrivateKey.ToArray() : default,
            RemoteStaticPublicKey = withRemoteStatic && (pattern != "IK" || role == NoiseRole.Initiator) ? remote.NoisePublicKey.ToArray() : default,
            FixedEphemeralPrivateKey = ephemeral,
            Profile = profile ?? NoiseProfile.Strict,
        };
        return new Party(new HandshakeState(NoiseProtocol.Parse("Noise_" + pattern + Suite), role, options));
    }

    private static byte[] Seal(NoiseTransport transport, byte[] plaintext)
    {
        var sealedBody = new byte[plaintext.Length + 16];
        transport.Encrypt(plaintext, sealedBody);
        return sealedBody;
    }

    private static byte[] FrameOf(PacketType type, ReadOnlySpan<byte> body)
    {
        var wire = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(wire, type, body);
        return wire.WrittenSpan.ToArray();
    }

    private static int LengthField(byte[] frame) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame);

    private static byte[] BodyOf(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var read));
        return read.Body.ToArray();
    }

    private static byte[] Filled(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private sealed record Party(HandshakeState State)
    {
        public byte[] Write(ReadOnlySpan<byte> payload)
        {
            var message = new byte[State.GetMessageLength(payload.Length)];
            return message[..State.WriteMessage(payload, message)];
        }

        public byte[] Read(ReadOnlySpan<byte> message)
        {
            var payload = new byte[State.GetPayloadLength(message.Length)];
            return payload[..State.ReadMessage(message, payload)];
        }

        public NoiseTransport Split()
        {
            var transport = State.Split();
            State.Dispose();
            return transport;
        }
    }

    private sealed record TransportPair(NoiseTransport Initiator, NoiseTransport Responder) : IDisposable
    {
        public void Dispose()
        {
            Initiator.Dispose();
            Responder.Dispose();
        }
    }
}
