using System.Net;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>How a <see cref="PeerNode"/> runs. Only <see cref="LocalKey"/> is required.</summary>
public sealed record PeerNodeOptions
{
    /// <summary>The site's own identity: its agent id and the Noise static key derived from it.</summary>
    public required AgentKey LocalKey { get; init; }

    /// <summary>Where to listen. Default: loopback, port 0 (the system picks a free port; see <see cref="PeerNode.LocalEndPoint"/>).</summary>
    public IPEndPoint ListenEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Encryption mode. Default <see cref="PeerMode.Strict"/>.</summary>
    public PeerMode Mode { get; init; } = PeerMode.Strict;

    /// <summary>
    /// When a message counts as delivered. Default <see cref="DeliveryMode.Auto"/>: acknowledged by an R packet on
    /// connections that negotiated receipts, written to TCP on the others (the JavaScript peer sends no receipts).
    /// </summary>
    public DeliveryMode? Delivery { get; init; }

    /// <summary>Time allowed from TCP connect (or accept) to an open connection. Default: the spec's <c>timeout handshake</c> (10 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = ResponderConnection.HandshakeTimeout;

    /// <summary>
    /// An inbound connection with no traffic either way for this long is closed. Default: the spec's
    /// <c>timeout idle</c> (60 s); infinite turns it off.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = ResponderConnection.IdleTimeout;

    /// <summary>
    /// The longest frame accepted or sent (type byte and body, without the 4-byte length). Default: 65536 in
    /// <see cref="PeerMode.Strict"/> (a type byte and a 65535-byte Noise message), the spec's maximum
    /// (<see cref="FrameCodec.MaxFrameLength"/>, 1 MiB) in the other modes.
    /// </summary>
    public int? MaxFrameLength { get; init; }

    /// <summary>
    /// When the node stops: how long messages already handed to connections get to be written and acknowledged
    /// before every connection is closed (each with a FIN). What is still undelivered then fails with
    /// <see cref="DeliveryFailure.NodeStopped"/>. Zero closes at once. Default 5 s.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Refusing addresses that keep failing handshakes.</summary>
    public BlockListOptions BlockList { get; init; } = new();

    /// <summary>Connection counts and write stalls: see <see cref="PeerLimits"/> for each bound and its default.</summary>
    public PeerLimits Limits { get; init; } = new();

    /// <summary>Received messages waiting for the application; when full, reading from the network pauses. Default 4096.</summary>
    public int ReceiveQueueCapacity { get; init; } = 4096;

    /// <summary>
    /// Called for every frame read or written, on the connection's own flow: for traces and demos, keep it
    /// cheap. Null (the default) costs one check per frame.
    /// </summary>
    public Action<PacketTrace>? PacketObserver { get; init; }

    internal DeliveryMode EffectiveDelivery => Delivery ?? DeliveryMode.Auto;

    internal int EffectiveMaxFrameLength => MaxFrameLength ?? (Mode == PeerMode.Strict ? 1 + 65535 : FrameCodec.MaxFrameLength);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(LocalKey);
        ArgumentNullException.ThrowIfNull(ListenEndPoint);
        ArgumentNullException.ThrowIfNull(BlockList);
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        if (HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), "The handshake timeout must be positive.");
        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), "The idle timeout must be positive or infinite.");
        if (EffectiveMaxFrameLength is < 128 or > FrameCodec.MaxFrameLength)
            throw new ArgumentOutOfRangeException(nameof(MaxFrameLength), $"The frame limit must be from 128 to {FrameCodec.MaxFrameLength} bytes (the spec's maximum).");
        if (ShutdownGracePeriod < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ShutdownGracePeriod), "The shutdown grace period cannot be negative.");
        if (ReceiveQueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(ReceiveQueueCapacity), "The receive queue holds at least one message.");
    }
}
