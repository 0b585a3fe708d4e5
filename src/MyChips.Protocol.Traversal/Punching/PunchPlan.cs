using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// One node's side of a hole punch: the local TCP port it dials from (the one its signalling connection uses, so
/// that a NAT keeps the mapping the other side was told about), the addresses others observed for it, and the UDP
/// socket whose mapping media will use.
/// </summary>
public sealed record PunchPlan(IPEndPoint LocalTcp, IPEndPoint ObservedTcp, Socket? Udp = null, IPEndPoint? ObservedUdp = null)
{
    /// <summary>The key that the two sides' UDP punch datagrams carry, so that a stray datagram does not count.</summary>
    public ReadOnlyMemory<byte> UdpToken { get; init; }
}

/// <summary>How the two nodes got connected.</summary>
public enum ConnectionMethod
{
    /// <summary>Both dialled and the SYNs crossed: a TCP simultaneous open.</summary>
    TcpSimultaneousOpen,
    /// <summary>The other side's SYN reached this side's listener on the punched port.</summary>
    TcpAccepted,
    /// <summary>No direct path: the relay carries the stream.</summary>
    Relay,
}

/// <summary>
/// The result of connecting: a stream socket to the other node (direct or through the relay), how, after how many
/// punch attempts and how long, and the other node's UDP address when a UDP hole opened too.
/// </summary>
public sealed record PunchResult(Socket Stream, ConnectionMethod Method, int Attempts, TimeSpan Elapsed, IPEndPoint? UdpPeer)
{
    /// <summary>Whether the stream is a direct connection.</summary>
    public bool IsDirect => Method != ConnectionMethod.Relay;
}
