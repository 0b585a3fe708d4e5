using System.Buffers;
using System.Collections.Concurrent;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Connections;

/// <summary>
/// One connection's Noise state, built from the spec: a handshake packet is the message its declaration names
/// (pattern and number), a transport packet is encrypted with the keys the handshake produced, and any other
/// packet goes in the clear. Nothing here knows a protocol: the pattern comes from the packets themselves.
/// </summary>
/// <remarks>
/// A one-way pattern that the spec follows with another handshake (a prelude, such as an N that names the
/// initiator before a KK) yields no transport: the next handshake starts fresh, and its keys are the connection's.
/// With <see cref="ConnectionOptions.Encrypted"/> off, the same packets and order run with every payload in the clear.
/// Not thread-safe for transport: one writer and one reader at a time, as a connection's loops are.
/// </remarks>
public sealed class NoiseDriver : IDisposable
{
    private static readonly ConcurrentDictionary<string, NoiseProtocol> s_protocols = new(StringComparer.Ordinal);

    private readonly ProtocolDescription _protocol;
    private readonly ConnectionRole _role;
    private readonly ConnectionOptions _options;
    private readonly Lock _handshakeLock = new(); // sends and the read loop both step the handshake; never at once
    private ReadOnlyMemory<byte> _knownPeerKey;
    private HandshakeState? _handshake;
    private HandshakePattern? _clearPattern; // the pattern in progress when nothing is encrypted
    private NoiseTransport? _transport;
    private bool _completed;
    private int _nextMessage = 1;

    /// <summary>
    /// The driver of one connection. <paramref name="knownPeerKey"/> is the peer's static public key when this side
    /// knows it in advance (an initiator of NK, KK or IK); otherwise empty.
    /// </summary>
    public NoiseDriver(ProtocolDescription protocol, ConnectionRole role, ConnectionOptions options, ReadOnlyMemory<byte> knownPeerKey = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(options);
        _protocol = protocol;
        _role = role;
        _options = options;
        _knownPeerKey = knownPeerKey;
    }

    /// <summary>Whether payloads are encrypted (false: every packet in the clear, no key proven).</summary>
    public bool Encrypts => _options.Encrypted;

    /// <summary>Bytes a transport packet adds to its plaintext: the AEAD tag, or none in the clear.</summary>
    public int TransportOverhead => Encrypts ? NoiseTransport.TagLength : 0;

    /// <summary>The pattern in use, once the first handshake packet went either way.</summary>
    public string? Pattern { get; private set; }

    /// <summary>The handshake is done: transport packets may flow.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>The peer's static key, once the handshake made it known (proven at completion); empty in the clear.</summary>
    public ReadOnlyMemory<byte> PeerStaticKey { get; private set; }

    /// <summary>
    /// The peer's static public key for the next handshake, learnt outside it (from a prelude's payload and a key
    /// store, say). Only between handshakes. The key is checked when that handshake starts: one that is no usable
    /// public key fails the packet that starts it.
    /// </summary>
    public void UsePeerStaticKey(ReadOnlySpan<byte> key)
    {
        lock (_handshakeLock)
        {
            if (_handshake is not null || _clearPattern is not null || IsCompleted)
                throw new InvalidOperationException("The peer's static key can only be set between handshakes.");
            _knownPeerKey = key.ToArray();
        }
    }

    /// <summary>The body length on the wire of a packet whose plaintext payload has this length.</summary>
    public int GetBodyLength(PacketDescriptor packet, int payloadLength)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (!Encrypts) return payloadLength;
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
    /// Seals an outgoing packet's payload into <paramref name="body"/>, sized by <see cref="GetBodyLength"/>; returns
    /// the bytes written. Throws <see cref="InvalidOperationException"/> when the spec's order does not allow the packet now.
    /// </summary>
    public int Seal(PacketDescriptor packet, ReadOnlySpan<byte> payload, Span<byte> body)
    {
        ArgumentNullException.ThrowIfNull(packet);
        switch (packet.Stage)
        {
            case PacketStage.Handshake:
                lock (_handshakeLock)
                {
                    if (!Encrypts)
                    {
                        StepClear(packet, writing: true);
                        payload.CopyTo(body);
                        return payload.Length;
                    }
                    var written = StartOrContinue(packet, writing: true).WriteMessage(payload, body);
                    Advance();
                    return written;
                }
            case PacketStage.Transport:
                if (!IsCompleted) throw new InvalidOperationException($"{packet} is a transport message; the handshake is not complete yet.");
                return EncryptTransport(payload, body);
            default:
                payload.CopyTo(body);
                return payload.Length;
        }
    }

    /// <summary>
    /// Opens a received packet's body: the handshake message read, or the transport message decrypted. False,
    /// with the reason, for a packet out of the spec's order, a failed decryption or an untrusted key.
    /// </summary>
    public bool TryOpen(PacketDescriptor packet, in ReadOnlySequence<byte> body, out byte[] payload, out string error)
    {
        ArgumentNullException.ThrowIfNull(packet);
        payload = [];
        error = "";
        switch (packet.Stage)
        {
            case PacketStage.Handshake:
                ReadOnlySpan<byte> bytes = body.IsSingleSegment ? body.FirstSpan : body.ToArray();
                lock (_handshakeLock) return TryReadHandshake(packet, bytes, out payload, out error);
            case PacketStage.Transport:
                if (!IsCompleted)
                {
                    error = $"{packet} arrived before the handshake completed";
                    return false;
                }
                if (body.Length < TransportOverhead)
                {
                    error = $"{packet} is shorter than its tag";
                    return false;
                }
                payload = new byte[body.Length - TransportOverhead];
                if (!TryDecryptTransport(body, payload))
                {
                    error = $"{packet} failed to decrypt";
                    return false;
                }
                return true;
            default:
                payload = body.ToArray();
                return true;
        }
    }

    /// <summary>Encrypts one transport message into <paramref name="destination"/> (plaintext plus <see cref="TransportOverhead"/>); returns its length.</summary>
    public int EncryptTransport(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (!Encrypts)
        {
            plaintext.CopyTo(destination);
            return plaintext.Length;
        }
        return (_transport ?? throw new InvalidOperationException("The handshake is not complete yet.")).Encrypt(plaintext, destination);
    }

    /// <summary>
    /// Decrypts one transport message into <paramref name="destination"/> (its length less <see cref="TransportOverhead"/>).
    /// False when it fails to authenticate, or arrives before the handshake completed.
    /// </summary>
    public bool TryDecryptTransport(in ReadOnlySequence<byte> ciphertext, Span<byte> destination)
    {
        if (!IsCompleted || ciphertext.Length < TransportOverhead) return false;
        if (!Encrypts)
        {
            ciphertext.CopyTo(destination);
            return true;
        }
        if (ciphertext.IsSingleSegment) return _transport!.TryDecrypt(ciphertext.FirstSpan, destination, out _);
        var length = (int)ciphertext.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ciphertext.CopyTo(rented);
            return _transport!.TryDecrypt(rented.AsSpan(0, length), destination, out _);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool TryReadHandshake(PacketDescriptor packet, ReadOnlySpan<byte> bytes, out byte[] payload, out string error)
    {
        (payload, error) = ([], "");
        try
        {
            if (!Encrypts)
            {
                StepClear(packet, writing: false);
                payload = bytes.ToArray();
                return true;
            }
            var handshake = StartOrContinue(packet, writing: false);
            var buffer = new byte[handshake.GetPayloadLength(bytes.Length)];
            var written = handshake.ReadMessage(bytes, buffer);
            payload = written == buffer.Length ? buffer : buffer[..written];
            if (PeerStaticKey.IsEmpty && !handshake.RemoteStaticPublicKey.IsEmpty)
            {
                PeerStaticKey = handshake.RemoteStaticPublicKey.ToArray();
                if (_options.IsTrustedPeerKey is { } trusted && !trusted(PeerStaticKey))
                {
                    error = "the peer's static key is not trusted";
                    return false;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or NoiseException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
        Advance();
        return true;
    }

    /// <summary>The handshake for this packet: started by its first message, in the packet's pattern; checked for turn and number.</summary>
    private HandshakeState StartOrContinue(PacketDescriptor packet, bool writing)
    {
        if (IsCompleted)
            throw new InvalidOperationException($"{packet} is a handshake message; the handshake is already complete.");
        if (_handshake is null)
        {
            var protocol = Start(packet);
            _handshake = new HandshakeState(protocol, _role == ConnectionRole.Initiator ? NoiseRole.Initiator : NoiseRole.Responder,
                new NoiseHandshakeOptions
                {
                    LocalStaticPrivateKey = _options.LocalStaticPrivateKey,
                    LocalStaticPublicKey = _options.LocalStaticPublicKey,
                    RemoteStaticPublicKey = _knownPeerKey,
                    Profile = _options.NoiseProfile,
                });
            PeerStaticKey = _knownPeerKey;
        }
        CheckTurn(packet, writing, _handshake.WritesNextMessage);
        return _handshake;
    }

    /// <summary>In the clear: the same order checks as with Noise, no keys.</summary>
    private void StepClear(PacketDescriptor packet, bool writing)
    {
        if (IsCompleted)
            throw new InvalidOperationException($"{packet} is a handshake message; the handshake is already complete.");
        _clearPattern ??= Start(packet).Pattern;
        var sender = _clearPattern.Messages[_nextMessage - 1].Sender;
        CheckTurn(packet, writing, (sender == NoiseRole.Initiator) == (_role == ConnectionRole.Initiator));
        Advance();
    }

    /// <summary>A new handshake begins with this packet: it must be message 1, of a pattern the role may use.</summary>
    private NoiseProtocol Start(PacketDescriptor packet)
    {
        if (packet.MessageIndex != 1)
            throw new InvalidOperationException($"{packet} is message {packet.MessageIndex}; a handshake starts with message 1.");
        Pattern = ChoosePattern(packet);
        return s_protocols.GetOrAdd($"Noise_{Pattern}_{_options.NoiseSuite}", NoiseProtocol.Parse);
    }

    private void CheckTurn(PacketDescriptor packet, bool writing, bool localWritesNext)
    {
        if (!packet.IsHandshakeMessage(Pattern!, _nextMessage))
            throw new InvalidOperationException($"{packet} is not message {_nextMessage} of {Pattern}, which comes next.");
        if (localWritesNext != writing)
            throw new InvalidOperationException($"message {_nextMessage} of {Pattern} is the {(writing ? "peer's" : "local side's")} to write.");
    }

    private string ChoosePattern(PacketDescriptor packet)
    {
        var prelude = packet.Patterns.Count == 1 && _protocol.IsPrelude(packet.Patterns[0]);
        if (_role == ConnectionRole.Initiator && _options.HandshakePattern is { } chosen && !prelude)
        {
            if (!packet.Patterns.Contains(chosen, StringComparer.Ordinal))
                throw new InvalidOperationException($"{packet} does not belong to the chosen pattern {chosen}.");
            return chosen;
        }
        if (packet.Patterns.Count != 1)
            throw new InvalidOperationException($"{packet} belongs to several patterns ({string.Join(", ", packet.Patterns)}); choose one in ConnectionOptions.HandshakePattern.");
        return packet.Patterns[0];
    }

    /// <summary>After a message: a finished prelude makes room for the next handshake; any other finished one opens the transport.</summary>
    private void Advance()
    {
        _nextMessage++;
        var finished = _handshake?.IsCompleted ?? _nextMessage > _clearPattern!.Messages.Count;
        if (!finished) return;
        var prelude = _protocol.IsPrelude(Pattern!);
        if (_handshake is not null && !prelude) _transport = _handshake.Split();
        _handshake?.Dispose();
        _handshake = null;
        _clearPattern = null;
        _nextMessage = 1;
        if (!prelude) Volatile.Write(ref _completed, true);
    }

    public void Dispose()
    {
        lock (_handshakeLock)
        {
            _handshake?.Dispose();
            _handshake = null;
        }
        _transport?.Dispose();
    }
}
