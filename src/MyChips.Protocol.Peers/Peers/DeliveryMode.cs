namespace MyChips.Protocol.Peers;

/// <summary>When a sent message counts as delivered. The receipt's <see cref="DeliveryReceipt.Mode"/> says which it got.</summary>
public enum DeliveryMode
{
    /// <summary>
    /// Acknowledged where the peer can acknowledge: on a connection that negotiated receipts, delivered when the
    /// receiving node counts it in an <c>R</c> packet (a message not acknowledged when its connection dies fails
    /// with <see cref="DeliveryFailure.ConnectionLost"/>); on one that did not, such as any connection with the
    /// MyCHIPs JavaScript peer, delivered when written, and its receipt says <see cref="Written"/>. No node can
    /// make a peer confirm, so this never waits for receipts that will not come. Same as <see cref="Auto"/>.
    /// </summary>
    Confirmed,

    /// <summary>
    /// Delivered when its frame was handed to TCP, even where the peer would acknowledge it; a frame in flight when
    /// the connection is cut is lost without notice.
    /// </summary>
    Written,

    /// <summary>The default: <see cref="Confirmed"/> where the connection negotiated receipts, <see cref="Written"/> elsewhere.</summary>
    Auto,
}
