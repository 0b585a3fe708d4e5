using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// Sockets that share one local port: the signalling connection, the punch dials and the punch listener all leave
/// from the same port, so that an endpoint-independent NAT shows the same mapping to every peer.
/// </summary>
public static class PortSharing
{
    /// <summary>A TCP socket bound to <paramref name="local"/> with address and port reuse.</summary>
    public static Socket BoundTcp(IPEndPoint local)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects from <paramref name="local"/> (port 0 picks one) to <paramref name="remote"/>, leaving the port shareable.</summary>
    public static async Task<Socket> ConnectTcpAsync(IPEndPoint local, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = BoundTcp(local);
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int SolSocket => OperatingSystem.IsLinux() ? 1 : 0xFFFF;

    private static int SoReusePort => OperatingSystem.IsLinux() ? 15 : 0x200;
}
