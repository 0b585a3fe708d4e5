using System.Buffers;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Connections;

/// <summary>
/// One connection's Noise state, built from the spec: a handshake packet is the message its declaration names
/// (pattern and number), a transport packet is encrypted with the keys the handshake produced, and any other
/// packet goes in the clear. Nothing here knows a protocol: the pattern comes from the packets themselves.
/// </summary>
internal sealed class NoiseDriver : IDisposable
{
    private readonly ProtocolDescription _protocol;
    private readonly ConnectionRole _role;
    private readonly ConnectionOptions _options;
    private readonly ReadOnlyMemory<byte> _knownPeerKey;
    private readonly Lock _handshakeLock = new(); // sends and the read loop both step the handshake; never at once
    private HandshakeState? _handshake;
    private NoiseTransport? _transport;
    private int _nextMessage = 1;

    public NoiseDriver(ProtocolDescription protocol, ConnectionRole role, ConnectionOptions options, ReadOnlyMemory<byte> knownPeerKey)
    {
        _protocol = protocol;
        _role = role;
        _options = options;
        _knownPeerKey = knownPeerKey;
    }

    /// <summary>The pattern in use, once the first handshake packet went either way.</summary>
    public string? Pattern { get; private set; }

    /// <summary>The handshake is done: transport packets may flow.</summary>
    public bool IsCompleted => _transport is not null;

    /// <summary>The peer's static key, once the handshake made it known (proven at completion).</summary>
    public ReadOnlyMemory<byte> PeerStaticKey { get; private set; }

    /// <summary>The body length on the wire of a packet whose plaintext payload has this length.</summary>
    public int GetBodyLength(PacketDescriptor packet, int payloadLength)
    {
        switch (packet.Stage)
        {
            case PacketStage.Handshake:
                lock (_handshakeLock) return StartOrContinue(packet, writing: true).GetMessageLength(payloadLength);
            case PacketStage.Transport:
                return payloadLength + NoiseTransport.TagLength;
            default:
                return payloadLength;
        }
    }

    /// <summary>
    /// Seals an outgoing packet's payload into <paramref name="body"/>, sized by <see cref="GetBodyLength"/>.
    /// Throws <see cref="InvalidOperationException"/> when the spec's order does not allow the packet now.
    /// </summary>
    public void Seal(PacketDescriptor packet, ReadOnlySpan<byte> payload, Span<byte> body)
    {
        switch (packet.Stage)
        {
            case PacketStage.Handshake:
                lock (_handshakeLock)
                {
                    StartOrContinue(packet, writing: true).WriteMessage(payload, body);
                    Advance();
                }
                break;
            case PacketStage.Transport:
                (_transport ?? throw new InvalidOperationException($"{packet} is a transport message; the handshake is not complete yet.")).Encrypt(payload, body);
                break;
            default:
                payload.CopyTo(body);
                break;
        }
    }

    /// <summary>
    /// Opens a received packet's body: the handshake message read, or the transport message decrypted. False,
    /// with the reason, for a packet out of the spec's order, a failed decryption or an untrusted key.
    /// </summary>
    public bool TryOpen(PacketDescriptor packet, in ReadOnlySequence<byte> body, out byte[] payload, out string error)
    {
        payload = [];
        error = "";
        ReadOnlySpan<byte> bytes = body.IsSingleSegment ? body.FirstSpan : body.ToArray();
        switch (packet.Stage)
        {
            case PacketStage.Handshake:
                lock (_handshakeLock) return TryReadHandshake(packet, bytes, out payload, out error);
            case PacketStage.Transport:
                if (_transport is null)
                {
                    error = $"{packet} arrived before the handshake completed";
                    return false;
                }
                if (bytes.Length < NoiseTransport.TagLength)
                {
                    error = $"{packet} is shorter than its tag";
                    return false;
                }
                payload = new byte[bytes.Length - NoiseTransport.TagLength];
                if (!_transport.TryDecrypt(bytes, payload, out _))
                {
                    error = $"{packet} failed to decrypt";
                    return false;
                }
                return true;
            default:
                payload = bytes.ToArray();
                return true;
        }
    }

    private bool TryReadHandshake(PacketDescriptor packet, ReadOnlySpan<byte> bytes, out byte[] payload, out string error)
    {
        (payload, error) = ([], "");
        HandshakeState handshake;
        try
        {
            handshake = StartOrContinue(packet, writing: false);
            payload = new byte[handshake.GetPayloadLength(bytes.Length)];
            handshake.ReadMessage(bytes, payload);
        }
        catch (Exception e) when (e is InvalidOperationException or NoiseException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
        if (PeerStaticKey.IsEmpty && !handshake.RemoteStaticPublicKey.IsEmpty)
        {
            PeerStaticKey = handshake.RemoteStaticPublicKey.ToArray();
            if (_options.IsTrustedPeerKey is { } trusted && !trusted(PeerStaticKey))
            {
                error = "the peer's static key is not trusted";
                return false;
            }
        }
        Advance();
        return true;
    }

    /// <summary>The handshake for this packet: started by its first message, in the packet's pattern; checked for turn and number.</summary>
    private HandshakeState StartOrContinue(PacketDescriptor packet, bool writing)
    {
        if (_transport is not null)
            throw new InvalidOperationException($"{packet} is a handshake message; the handshake is already complete.");
        if (_handshake is null)
        {
            if (packet.MessageIndex != 1)
                throw new InvalidOperationException($"{packet} is message {packet.MessageIndex}; a handshake starts with message 1.");
            Pattern = ChoosePattern(packet);
            _handshake = new HandshakeState(NoiseProtocol.Parse($"Noise_{Pattern}_{_options.NoiseSuite}"),
                _role == ConnectionRole.Initiator ? NoiseRole.Initiator : NoiseRole.Responder,
                new NoiseHandshakeOptions { LocalStaticPrivateKey = _options.LocalStaticPrivateKey, RemoteStaticPublicKey = _knownPeerKey });
            if (!_knownPeerKey.IsEmpty) PeerStaticKey = _knownPeerKey;
        }
        if (!packet.IsHandshakeMessage(Pattern!, _nextMessage))
            throw new InvalidOperationException($"{packet} is not message {_nextMessage} of {Pattern}, which comes next.");
        if (_handshake.WritesNextMessage != writing)
            throw new InvalidOperationException($"message {_nextMessage} of {Pattern} is the {(writing ? "peer's" : "local side's")} to write.");
        return _handshake;
    }

    private string ChoosePattern(PacketDescriptor packet)
    {
        if (_role == ConnectionRole.Initiator && _options.HandshakePattern is { } chosen)
        {
            if (!packet.Patterns.Contains(chosen, StringComparer.Ordinal))
                throw new InvalidOperationException($"{packet} does not belong to the chosen pattern {chosen}.");
            return chosen;
        }
        if (packet.Patterns.Count != 1)
            throw new InvalidOperationException($"{packet} belongs to several patterns ({string.Join(", ", packet.Patterns)}); choose one in ConnectionOptions.HandshakePattern.");
        return packet.Patterns[0];
    }

    private void Advance()
    {
        _nextMessage++;
        if (!_handshake!.IsCompleted) return;
        _transport = _handshake.Split();
        _handshake.Dispose();
        _handshake = null;
    }

    public void Dispose()
    {
        _handshake?.Dispose();
        _transport?.Dispose();
    }
}
