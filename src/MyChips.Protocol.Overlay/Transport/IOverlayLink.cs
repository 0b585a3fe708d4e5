using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Punching;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;

namespace MyChips.Protocol.Overlay.Transport;

/// <summary>
/// An authenticated channel to one peer: its key is the one the Noise handshake proved. A call on a link that
/// failed throws <see cref="OverlayUnreachableException"/>.
/// </summary>
public interface IOverlayLink : IAsyncDisposable
{
    /// <summary>The peer at the other end.</summary>
    PeerInfo Peer { get; }

    bool IsOpen { get; }

    ValueTask<IReadOnlyList<PeerInfo>> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default);

    ValueTask PingAsync(CancellationToken cancellationToken = default);

    ValueTask SendFindMeAsync(FindMePacket packet, CancellationToken cancellationToken = default);

    ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Asks the peer, a relay, to keep this node reachable through it.</summary>
    ValueTask<RelayReservation> ReserveAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks the peer, a relay, for a circuit to the node holding <paramref name="targetKey"/>.</summary>
    ValueTask<DialOutcome> DialAsync(ReadOnlyMemory<byte> targetKey, CancellationToken cancellationToken = default);

    /// <summary>As a relay: tells the peer, which holds a reservation, that a circuit from <paramref name="sourceKey"/> is open.</summary>
    ValueTask OpenCircuitAsync(uint circuit, ReadOnlyMemory<byte> sourceKey, CancellationToken cancellationToken = default);

    /// <summary>Bytes on a circuit through (or from) the peer.</summary>
    ValueTask SendRelayedAsync(uint circuit, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    ValueTask HangupAsync(uint circuit, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Asks the peer, which offers punching, which address this link comes from as it sees it (and for a token to probe its UDP address).</summary>
    ValueTask<ObservedAddress> ObserveAsync(CancellationToken cancellationToken = default) =>
        throw new OverlayUnreachableException($"the link to {Peer} carries no punch packets");

    /// <summary>
    /// A punch signal for the node holding <paramref name="targetKey"/>: the peer itself, or a node the peer relays
    /// to (then <paramref name="sourceKey"/> is empty; a relay passing it on names the sender there).
    /// </summary>
    ValueTask SendSignalAsync(ReadOnlyMemory<byte> targetKey, ReadOnlyMemory<byte> sourceKey, OverlaySignal signal, CancellationToken cancellationToken = default) =>
        throw new OverlayUnreachableException($"the link to {Peer} carries no punch packets");
}

/// <summary>The way from one node to others: the sockets of the overlay protocol, or an in-memory network.</summary>
public interface IOverlayTransport : IAsyncDisposable
{
    /// <summary>Where this node accepts connections, once started; null if it accepts none.</summary>
    string? LocalAddress { get; }

    /// <summary>Starts accepting connections; each inbound link and everything it carries goes to <paramref name="handler"/>.</summary>
    void Start(IOverlayHandler handler);

    /// <summary>
    /// A link to <paramref name="address"/>. With <paramref name="expectedKey"/>, a peer with any other key is refused;
    /// without it (an entry point) the handshake tells who is there.
    /// </summary>
    ValueTask<IOverlayLink> ConnectAsync(string address, ReadOnlyMemory<byte> expectedKey = default, CancellationToken cancellationToken = default);
}

/// <summary>What a node does with what arrives on its links.</summary>
public interface IOverlayHandler
{
    /// <summary>This node as it describes itself to peers.</summary>
    PeerInfo Self { get; }

    /// <summary>A link was opened, either way, and the peer introduced itself.</summary>
    void OnLinkOpened(IOverlayLink link);

    void OnLinkClosed(IOverlayLink link);

    IReadOnlyList<PeerInfo> OnFindNode(IOverlayLink from, NodeId target);

    ValueTask OnFindMeAsync(IOverlayLink from, FindMePacket packet);

    ValueTask OnTextAsync(IOverlayLink from, string text);

    RelayReservation OnReserve(IOverlayLink from);

    ValueTask<DialOutcome> OnDialAsync(IOverlayLink from, ReadOnlyMemory<byte> targetKey);

    /// <summary>A relay opened a circuit to this node from the node holding <paramref name="sourceKey"/>.</summary>
    ValueTask OnCircuitAsync(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> sourceKey);

    ValueTask OnRelayedAsync(IOverlayLink from, uint circuit, ReadOnlyMemory<byte> data);

    ValueTask OnHangupAsync(IOverlayLink from, uint circuit, string? reason);

    /// <summary>A well-formed punch signal for <paramref name="targetKey"/>, from the peer or (with <paramref name="sourceKey"/>) passed on by it.</summary>
    ValueTask OnSignalAsync(IOverlayLink from, ReadOnlyMemory<byte> targetKey, ReadOnlyMemory<byte> sourceKey, OverlaySignal signal);
}

/// <summary>A peer could not be reached, or its link failed.</summary>
public sealed class OverlayUnreachableException(string message, Exception? inner = null) : IOException(message, inner);
