namespace MyChips.Protocol.Connections;

/// <summary>
/// One frame read or written on a connection, for traces and metrics (<see cref="ConnectionOptions.FrameObserver"/>).
/// </summary>
/// <param name="Connection">The connection it travelled on.</param>
/// <param name="Outgoing">Written by this side (true) or read from the peer (false).</param>
/// <param name="PacketType">The packet's type byte.</param>
/// <param name="Size">The bytes the whole frame took on the wire, header included.</param>
public readonly record struct FrameTrace(ProtocolConnection Connection, bool Outgoing, byte PacketType, int Size);
