using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// One TCP punch from a shared local port: dial the other side's observed address and, on the same port, listen
/// for its SYN. Whichever connects first wins: the two dials crossing (simultaneous open), or the other side's dial
/// reaching the listener (when its NAT gave it a port other than the one observed).
/// </summary>
public static class TcpPunch
{
    /// <summary>The connected socket and how it was made, or null when nothing connected within <paramref name="timeout"/>.</summary>
    public static async Task<(Socket Socket, ConnectionMethod Method)?> TryAsync(IPEndPoint local, IPEndPoint remote, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(timeout);
        using var listener = PortSharing.BoundTcp(local);
        listener.Listen(4);
        var pending = new List<Task<(Socket Socket, ConnectionMethod Method)?>>
        {
            DialAsync(local, remote, window.Token),
            AcceptFromAsync(listener, remote.Address, window.Token),
        };
        (Socket Socket, ConnectionMethod Method)? winner = null;
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            var result = await done.ConfigureAwait(false);
            if (result is null) continue;
            if (winner is null)
            {
                winner = result;
                window.Cancel(); // the other way stops; a socket it made all the same is closed below
            }
            else result.Value.Socket.Dispose();
        }
        return winner;
    }

    // Dials until connected or the window ends: a refusal (the other side's port not yet open) is retried.
    private static async Task<(Socket, ConnectionMethod)?> DialAsync(IPEndPoint local, IPEndPoint remote, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var socket = await PortSharing.ConnectTcpAsync(local, remote, cancellationToken).ConfigureAwait(false);
                return (socket, ConnectionMethod.TcpSimultaneousOpen);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException)
            {
                try
                {
                    await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
        return null;
    }

    // Accepts the other side's dial; a connection from any other address is closed and ignored.
    private static async Task<(Socket, ConnectionMethod)?> AcceptFromAsync(Socket listener, IPAddress expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return null;
            }
            if (accepted.RemoteEndPoint is IPEndPoint from && from.Address.Equals(expected))
            {
                accepted.NoDelay = true;
                return (accepted, ConnectionMethod.TcpAccepted);
            }
            accepted.Dispose();
        }
    }

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);
}
