using System.Net;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>One step in a connection's life, as <see cref="PeerNode.ConnectionStateChanged"/> reports it.</summary>
/// <param name="ConnectionId">The node-local id of the connection.</param>
/// <param name="Direction">Which side opened it.</param>
/// <param name="State">The state it entered.</param>
/// <param name="RemoteAgent">The remote agent, once known (empty before an inbound handshake names it).</param>
/// <param name="RemoteEndPoint">The remote TCP end point, when known.</param>
/// <param name="CloseReason">Why it closed, for <see cref="ConnectionState.Closed"/>.</param>
/// <param name="Elapsed">Time since the connection object was created.</param>
public sealed record ConnectionStateChange(
    long ConnectionId,
    ConnectionDirection Direction,
    ConnectionState State,
    AgentId RemoteAgent,
    EndPoint? RemoteEndPoint,
    CloseReason CloseReason,
    TimeSpan Elapsed);
