using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// The path that carries punch messages to one other node before a direct connection exists: a rendezvous server,
/// or later an overlay's relays or find-me packets. It must deliver in order; it need not be fast (its round trip
/// is what the punch timing measures).
/// </summary>
public interface ISignallingChannel
{
    /// <summary>Sends <paramref name="message"/> to the other node.</summary>
    ValueTask SendAsync(PunchMessage message, CancellationToken cancellationToken);

    /// <summary>The next message from the other node.</summary>
    ValueTask<PunchMessage> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>A third node that joins two nodes' byte streams when no direct connection can be made (the traffic inside stays end-to-end encrypted).</summary>
public interface IRelayFallback
{
    /// <summary>
    /// Opens this side of the circuit named <paramref name="circuit"/>; completes when the relay has joined it to the
    /// other side's, so that the returned socket carries bytes to and from the other node.
    /// </summary>
    Task<Socket> OpenCircuitAsync(ReadOnlyMemory<byte> circuit, CancellationToken cancellationToken);
}

/// <summary>What kind of punch message it is (the DCUtR exchange: CONNECT both ways, then SYNC).</summary>
public enum PunchMessageKind
{
    /// <summary>The sender's addresses; the initiator sends it first, the responder answers with its own.</summary>
    Connect,
    /// <summary>From the initiator: dial now (the initiator dials half a round trip later).</summary>
    Sync,
    /// <summary>From the initiator: punching failed; meet in the relay circuit named by <see cref="PunchMessage.Circuit"/>. The responder sends it back before joining.</summary>
    Relay,
}

/// <summary>One punch message: its kind, the attempt it belongs to, the sender's observed addresses, or the relay circuit.</summary>
public sealed record PunchMessage(PunchMessageKind Kind, int Attempt, IPEndPoint? Tcp = null, IPEndPoint? Udp = null, ReadOnlyMemory<byte> Circuit = default);
