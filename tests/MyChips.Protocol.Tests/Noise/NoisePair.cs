using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>An initiator and a responder with fixed keys, for tests that run whole handshakes.</summary>
internal sealed class NoisePair : IDisposable
{
    public static readonly byte[] InitiatorStatic = Fill(0x11);
    public static readonly byte[] ResponderStatic = Fill(0x22);
    public static readonly byte[] InitiatorEphemeral = Fill(0x33);
    public static readonly byte[] ResponderEphemeral = Fill(0x44);

    public NoisePair(string protocolName, NoiseProfile? profile = null, bool fixedEphemerals = true, IReadOnlyList<ReadOnlyMemory<byte>>? psks = null)
    {
        var protocol = NoiseProtocol.Parse(protocolName);
        Initiator = new HandshakeState(protocol, NoiseRole.Initiator, Options(protocol, NoiseRole.Initiator, profile, fixedEphemerals, psks));
        Responder = new HandshakeState(protocol, NoiseRole.Responder, Options(protocol, NoiseRole.Responder, profile, fixedEphemerals, psks));
    }

    public HandshakeState Initiator { get; }

    public HandshakeState Responder { get; }

    public NoiseTransport? InitiatorTransport { get; private set; }

    public NoiseTransport? ResponderTransport { get; private set; }

    public static byte[] PublicKey(byte[] privateKey)
    {
        var result = new byte[X25519Keys.KeyLength];
        X25519Keys.DerivePublicKey(privateKey, result);
        return result;
    }

    /// <summary>Runs every handshake message with an empty payload, checks both hashes agree, and splits.</summary>
    public NoisePair Complete()
    {
        var buffer = new byte[1024];
        var payload = new byte[1024];
        while (!Initiator.IsCompleted)
        {
            var (writer, reader) = Initiator.WritesNextMessage ? (Initiator, Responder) : (Responder, Initiator);
            var length = writer.WriteMessage(default, buffer);
            reader.ReadMessage(buffer.AsSpan(0, length), payload);
        }
        Assert.True(Responder.IsCompleted);
        Assert.Equal(Initiator.HandshakeHash.ToArray(), Responder.HandshakeHash.ToArray());
        InitiatorTransport = Initiator.Split();
        ResponderTransport = Responder.Split();
        return this;
    }

    public void Dispose()
    {
        InitiatorTransport?.Dispose();
        ResponderTransport?.Dispose();
        Initiator.Dispose();
        Responder.Dispose();
    }

    private static NoiseHandshakeOptions Options(NoiseProtocol protocol, NoiseRole role, NoiseProfile? profile, bool fixedEphemerals, IReadOnlyList<ReadOnlyMemory<byte>>? psks)
    {
        var initiator = role == NoiseRole.Initiator;
        var pattern = protocol.Pattern;
        var remotePre = initiator ? pattern.ResponderPreMessage : pattern.InitiatorPreMessage;
        return new NoiseHandshakeOptions
        {
            LocalStaticPrivateKey = initiator ? InitiatorStatic : ResponderStatic,
            RemoteStaticPublicKey = remotePre.Count > 0 ? PublicKey(initiator ? ResponderStatic : InitiatorStatic) : ReadOnlyMemory<byte>.Empty,
            FixedEphemeralPrivateKey = fixedEphemerals ? (initiator ? InitiatorEphemeral : ResponderEphemeral) : ReadOnlyMemory<byte>.Empty,
            PreSharedKeys = psks ?? Enumerable.Range(0, pattern.PskModifiers.Count).Select(i => (ReadOnlyMemory<byte>)Fill((byte)(0x50 + i))).ToList(),
            Profile = profile ?? NoiseProfile.Strict,
        };
    }

    private static byte[] Fill(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
