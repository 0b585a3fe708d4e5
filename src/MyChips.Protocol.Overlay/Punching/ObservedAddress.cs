using System.Net;

namespace MyChips.Protocol.Overlay.Punching;

/// <summary>
/// What a peer that offers punching saw: the TCP address a link comes from, and a token for a UDP address probe to
/// the peer's own address and port (empty when it answers none).
/// </summary>
public sealed record ObservedAddress(IPEndPoint Tcp, ReadOnlyMemory<byte> UdpProbeToken);
