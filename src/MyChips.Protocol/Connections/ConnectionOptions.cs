namespace MyChips.Protocol.Connections;

/// <summary>How the engine runs a protocol's connections. Defaults come from the spec; set only what differs.</summary>
public sealed class ConnectionOptions
{
    /// <summary>This node's 32-byte X25519 static private key, for patterns in which this side has one.</summary>
    public ReadOnlyMemory<byte> LocalStaticPrivateKey { get; init; }

    /// <summary>The public half of <see cref="LocalStaticPrivateKey"/>, if known: saves one scalar multiplication per handshake.</summary>
    public ReadOnlyMemory<byte> LocalStaticPublicKey { get; init; }

    /// <summary>
    /// The DH, cipher and hash of the Noise protocol name, after the pattern the spec declares:
    /// <c>Noise_{pattern}_{NoiseSuite}</c>. Both sides must agree.
    /// </summary>
    public string NoiseSuite { get; init; } = "25519_ChaChaPoly_BLAKE2b";

    /// <summary>
    /// The Noise pattern an initiator uses when the spec declares several; null picks the spec's only one.
    /// A responder follows the pattern of the first handshake packet it receives.
    /// </summary>
    public string? HandshakePattern { get; init; }

    /// <summary>
    /// False runs the spec's packets in the same order with every payload in the clear: no encryption and no
    /// authentication, for simulations that want speed. Both sides must agree. True by default.
    /// </summary>
    public bool Encrypted { get; init; } = true;

    /// <summary>Wire rules of the Noise implementation to interoperate with; the Noise spec's by default.</summary>
    public Noise.NoiseProfile NoiseProfile { get; init; } = Noise.NoiseProfile.Strict;

    /// <summary>
    /// Checked when the peer's static key becomes known in the handshake (as soon as its message carries it):
    /// false closes the connection. Null trusts every key, which proves only that the peer holds the key it sent.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, bool>? IsTrustedPeerKey { get; init; }

    /// <summary>
    /// Overrides of the spec's timeouts, by their spec names (e.g. "handshake"); others keep the spec's value.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns one off.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> Timeouts { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>A lower limit than the spec's largest frame; null keeps the spec's.</summary>
    public int? MaxFrameLength { get; init; }

    /// <summary>Frames queued for sending before <see cref="ProtocolConnection.SendAsync"/> waits for room.</summary>
    public int SendQueueCapacity { get; init; } = 256;

    /// <summary>
    /// How long a send waits for room in a full queue, or a write for the socket to take its bytes (the peer reads
    /// nothing), before the connection is closed as failed; a waiting send then throws. Bounds what a peer that stops
    /// reading can hold up, machine steps included.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A frame whose type the spec does not declare: false (the default) closes the connection as a protocol
    /// violation; true skips it, for protocols whose peers may send extensions this side does not know.
    /// </summary>
    public bool SkipUnknownPackets { get; init; }

    /// <summary>Connections a node keeps at once; one more is closed as soon as it is accepted.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>After sending FIN, how long the peer's last bytes are read and dropped before the socket is released.</summary>
    public TimeSpan CloseDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many of the peer's last bytes are read and dropped at most before the socket is released.</summary>
    public long CloseDrainBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Called for every whole frame read (before it is checked against the spec) or written, on the connection's
    /// own flow: for traces and metrics, keep it cheap. Null (the default) costs one check per frame.
    /// </summary>
    public Action<FrameTrace>? FrameObserver { get; init; }

    /// <summary>The clock for timeouts; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal int EffectiveMaxFrameLength(ProtocolDescription protocol)
    {
        if (MaxFrameLength is not { } limit) return protocol.MaxFrameLength;
        if (limit < 1 || limit > protocol.MaxFrameLength)
            throw new ArgumentOutOfRangeException(nameof(MaxFrameLength), limit, $"The limit must be from 1 to the spec's {protocol.MaxFrameLength}.");
        return limit;
    }

    internal TimeSpan ResolveTimeout(string name, TimeSpan specValue) => Timeouts.TryGetValue(name, out var value) ? value : specValue;
}
