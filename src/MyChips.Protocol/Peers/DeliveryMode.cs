namespace MyChips.Protocol.Peers;

/// <summary>When a sent message counts as delivered.</summary>
public enum DeliveryMode
{
    /// <summary>
    /// Delivered when the receiving node acknowledges it with an <c>R</c> packet (a cumulative count of the
    /// messages it received on the connection). A message not acknowledged when its connection dies fails with
    /// <see cref="DeliveryFailure.ConnectionLost"/>.
    /// </summary>
    Confirmed,

    /// <summary>
    /// Delivered when its frame was handed to TCP. For peers that send no receipts, such as the MyCHIPs
    /// JavaScript peer; a frame in flight when the connection is cut is lost without notice.
    /// </summary>
    Written,
}
