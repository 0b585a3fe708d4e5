using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The handshake of one role on a <see cref="PeerConnection"/>: the role's generated machine, the state only that
/// role keeps, and the spec's actions. The connection owns the socket, the loops, receipts and closing; it hands
/// the session every packet of the handshake and asks it whether it is open.
/// </summary>
internal abstract class PeerSession(PeerConnection connection)
{
    protected PeerConnection Connection { get; } = connection;

    /// <summary>The handshake completed (and, on a strict responder, the initiator proved its keys).</summary>
    public abstract bool IsOpen { get; }

    /// <summary>The spec's fast-path check: may this packet arrive in the current state?</summary>
    public abstract bool Accepts(PacketType type);

    /// <summary>A packet before the open state: decrypted, decoded and fired into the machine.</summary>
    public abstract ValueTask<ActionOutcome> ReceiveAsync(PacketType type, byte[] message);

    /// <summary>When the read loop ends: moves the machine to its final state with the trigger the reason names.</summary>
    public abstract ValueTask EndAsync(CloseReason reason);

    /// <summary>The connection closed: whatever the role still waits for fails with this reason. Idempotent.</summary>
    public virtual void OnClosed(DeliveryFailure failure, CloseReason reason, bool wasOpen)
    {
    }

    /// <summary>Adds the deliveries the role holds (the initiator's first message) to <paramref name="into"/>.</summary>
    public virtual void CollectPending(List<Task> into)
    {
    }

    /// <summary>A refusal: the outcome that closes the connection, naming the reason by its tag.</summary>
    protected static ActionOutcome Refused(CloseReason reason) => ActionOutcome.Close(reason.ToTag());
}
