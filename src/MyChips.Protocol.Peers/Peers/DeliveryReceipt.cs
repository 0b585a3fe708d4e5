using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// Proof that a message was delivered, in the sense of <see cref="Mode"/>: acknowledged by the remote node,
/// or written to TCP.
/// </summary>
/// <param name="Destination">The agent the message went to.</param>
/// <param name="ConnectionId">The connection that carried it.</param>
/// <param name="Sequence">Its position among the messages sent on that connection, from 1.</param>
/// <param name="Mode">What "delivered" means for this receipt.</param>
public readonly record struct DeliveryReceipt(AgentId Destination, long ConnectionId, long Sequence, DeliveryMode Mode);
