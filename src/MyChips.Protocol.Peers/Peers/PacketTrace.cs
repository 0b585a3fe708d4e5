namespace MyChips.Protocol.Peers;

/// <summary>One frame seen on a connection, for diagnostics (<see cref="PeerNodeOptions.PacketObserver"/>).</summary>
/// <param name="ConnectionId">The node-local connection id.</param>
/// <param name="Outgoing">True for a frame this node wrote, false for one it read.</param>
/// <param name="Type">The packet type.</param>
/// <param name="FrameLength">The frame's length field: the type byte and the body.</param>
public readonly record struct PacketTrace(long ConnectionId, bool Outgoing, PacketType Type, int FrameLength);
