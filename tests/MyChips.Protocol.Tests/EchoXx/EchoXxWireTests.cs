using System.Buffers;
using System.Security.Cryptography;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// A protocol other than MyCHIPs, from its own spec (Specs/echo-xx.protocol): its generated frames carry
/// a Noise XX handshake and then transport messages, on the runtime's length-prefixed framing.
/// </summary>
public sealed class EchoXxWireTests
{
    private static readonly NoiseProtocol Xx = NoiseProtocol.Parse("Noise_XX_25519_ChaChaPoly_BLAKE2s");

    [Fact]
    public void The_spec_declares_three_XX_handshake_messages_and_one_transport_packet()
    {
        Assert.Equal(new[] { PacketType.Hello, PacketType.Answer, PacketType.Finish, PacketType.Line }, PacketTypes.All);
        var answer = PacketType.Answer.GetInfo();
        Assert.Equal((NoisePatterns.XX, 2, PeerRoles.Server), (answer.Patterns, answer.MessageIndex, answer.Senders));
        Assert.Equal(65536, FrameCodec.MaxFrameLength);
    }

    [Fact]
    public void An_XX_handshake_and_a_line_cross_the_generated_frames()
    {
        using var client = new HandshakeState(Xx, NoiseRole.Initiator, new NoiseHandshakeOptions { LocalStaticPrivateKey = RandomNumberGenerator.GetBytes(32) });
        using var server = new HandshakeState(Xx, NoiseRole.Responder, new NoiseHandshakeOptions { LocalStaticPrivateKey = RandomNumberGenerator.GetBytes(32) });

        Exchange(client, server, PacketType.Hello);
        Exchange(server, client, PacketType.Answer);
        Exchange(client, server, PacketType.Finish);
        Assert.True(client.IsCompleted && server.IsCompleted);
        Assert.Equal(client.LocalStaticPublicKey.ToArray(), server.RemoteStaticPublicKey.ToArray());
        Assert.Equal(server.LocalStaticPublicKey.ToArray(), client.RemoteStaticPublicKey.ToArray());

        using var clientTransport = client.Split();
        using var serverTransport = server.Split();
        var wire = EchoXxFrames.Transport(clientTransport, PacketType.Line, TextCodec.ToBytes("hello over XX"));

        var received = new ReadOnlySequence<byte>(wire);
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref received, out var frame));
        Assert.Equal(PacketType.Line, frame.Type);
        var plain = new byte[frame.Body.Length - NoiseTransport.TagLength];
        serverTransport.Decrypt(frame.Body.ToArray(), plain);
        Assert.True(TextCodec.TryDecode(plain, out var text));
        Assert.Equal("hello over XX", text);
    }

    /// <summary>One handshake message, framed as the spec's packet, from writer to reader.</summary>
    private static void Exchange(HandshakeState writer, HandshakeState reader, PacketType type)
    {
        var wire = new ArrayBufferWriter<byte>();
        var length = writer.GetMessageLength(0);
        Assert.Equal(length, writer.WriteMessage(default, FrameCodec.BeginFrame(wire, type, length)));
        FrameCodec.CompleteFrame(wire, length);

        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory);
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var frame));
        Assert.Equal(type, frame.Type);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(0, reader.ReadMessage(frame.Body.ToArray(), Span<byte>.Empty));
    }
}
