using System.Buffers;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>The echo protocol's frames built by hand from the Noise engine: a peer written from the Noise spec alone.</summary>
internal static class EchoXxFrames
{
    public static (byte[] Private, byte[] Public) NewKeyPair()
    {
        var (privateKey, publicKey) = (new byte[32], new byte[32]);
        X25519Keys.GenerateKeyPair(privateKey, publicKey);
        return (privateKey, publicKey);
    }

    /// <summary>The next handshake message (empty payload), framed as <paramref name="type"/>.</summary>
    public static byte[] Handshake(HandshakeState state, PacketType type)
    {
        var wire = new ArrayBufferWriter<byte>();
        var length = state.GetMessageLength(0);
        state.WriteMessage(default, FrameCodec.BeginFrame(wire, type, length));
        FrameCodec.CompleteFrame(wire, length);
        return wire.WrittenSpan.ToArray();
    }

    /// <summary>A transport message sealing <paramref name="plaintext"/>, framed as <paramref name="type"/>.</summary>
    public static byte[] Transport(NoiseTransport transport, PacketType type, ReadOnlySpan<byte> plaintext)
    {
        var wire = new ArrayBufferWriter<byte>();
        var length = plaintext.Length + NoiseTransport.TagLength;
        transport.Encrypt(plaintext, FrameCodec.BeginFrame(wire, type, length));
        FrameCodec.CompleteFrame(wire, length);
        return wire.WrittenSpan.ToArray();
    }
}
