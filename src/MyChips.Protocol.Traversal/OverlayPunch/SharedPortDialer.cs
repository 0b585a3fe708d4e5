using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.OverlayPunch;

/// <summary>
/// Opens the overlay's outgoing links from one shared local port (set it as <c>TcpOverlayOptions.Dialer</c>), so
/// that a hole punch leaves from the port whose NAT mapping the relay observed.
/// </summary>
public sealed class SharedPortDialer(IPAddress localAddress)
{
    private IPEndPoint? _local;

    /// <summary>The shared local address and port, once the first link was opened.</summary>
    public IPEndPoint? LocalEndPoint => Volatile.Read(ref _local);

    public async Task<Socket> DialAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = await PortSharing.ConnectTcpAsync(LocalEndPoint ?? new IPEndPoint(localAddress, 0), remote, cancellationToken).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _local, (IPEndPoint)socket.LocalEndPoint!, null);
        return socket;
    }
}
