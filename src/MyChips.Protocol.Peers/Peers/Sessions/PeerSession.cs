using System.Buffers;
using System.Net;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>
/// One role of the MyCHIPs protocol on the engine's connection: the role's generated machine runs the handshake
/// (the derived session implements its actions); once open, T, R and B go to the <see cref="PeerConnection"/>
/// without a machine step, and the engine's write turns drain its outbox.
/// </summary>
internal abstract class PeerSession<TMachine> : ProtocolSession<TMachine>, IPeerSession
    where TMachine : class, IConnectionMachine
{
    protected PeerSession(PeerNode node, long id, ConnectionDirection direction, EndPoint? remote, long createdAt, InboundAdmission.Lease? lease) =>
        Peer = new PeerConnection(node, this, id, direction, remote, createdAt) { Lease = lease };

    public PeerConnection Peer { get; }

    protected PeerNodeOptions Options => Peer.Options;

    /// <summary>Strict and compatible modes run Noise; raw mode sends the same packets in the clear.</summary>
    protected bool Encrypts => Options.Mode != PeerMode.Raw;

    /// <summary>The machine is in its open state: traffic needs no machine step.</summary>
    protected abstract bool IsOpenState { get; }

    protected sealed override ValueTask<ActionOutcome?> ReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body)
    {
        if (IsOpenState) return Peer.ReceiveTrafficAsync((PacketType)packet.Type, body);
        Peer.Saw(packet.Type);
        return ReceiveHandshakeAsync((PacketType)packet.Type, body);
    }

    /// <summary>A packet before the open state, still as it came off the wire: null leaves it to the engine and the machine.</summary>
    protected virtual ValueTask<ActionOutcome?> ReceiveHandshakeAsync(PacketType type, in ReadOnlySequence<byte> body) => new((ActionOutcome?)null);

    protected sealed override void WritePending(ConnectionWriter writer) => Peer.WritePending(writer);

    protected sealed override void OnWritten() => Peer.OnWritten();

    protected sealed override void OnClosed(ConnectionCloseReason reason) => Peer.Closed(reason);

    public virtual void OnPeerClosed(DeliveryFailure failure, CloseReason reason, bool wasOpen)
    {
    }

    public virtual void CollectPending(List<Task> into)
    {
    }

    /// <summary>A refusal: the outcome that closes the connection, naming the reason by its tag.</summary>
    protected static ActionOutcome Refused(CloseReason reason) => ActionOutcome.Close(reason.ToTag());
}
