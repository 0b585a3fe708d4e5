using System.Buffers;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>
/// Ends a TCP connection the way peers expect: a FIN after everything already written, then the peer's last
/// bytes read and discarded until it closes its side too, so the socket is released with nothing unread (Linux
/// answers unread data, and .NET a socket disposed with a read pending, with a reset). The drain is bounded in
/// time and bytes; a peer that keeps sending past either is cut off.
/// </summary>
public static class OrderlyClose
{
    private const int DrainBufferSize = 4096;

    /// <summary>Sends FIN after everything already written. False when the socket was reset or closed already.</summary>
    public static bool SendFin(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false; // already reset or closed by the peer: nothing left to say to it
        }
    }

    /// <summary>
    /// After <see cref="SendFin"/>: drains when asked and the FIN went out, then releases the socket. Never throws:
    /// the connection is over either way. Call it with no read or write pending on the socket.
    /// </summary>
    public static async Task DrainAndReleaseAsync(Socket socket, bool drain, TimeSpan drainTimeout, long drainBytes, TimeProvider time)
    {
        try
        {
            if (drain && drainTimeout > TimeSpan.Zero) await DrainAsync(socket, drainTimeout, drainBytes, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the peer while draining: it has nothing more to say either.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static async Task DrainAsync(Socket socket, TimeSpan drainTimeout, long drainBytes, TimeProvider time)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DrainBufferSize);
        using var deadline = new CancellationTokenSource(drainTimeout, time);
        try
        {
            long discarded = 0;
            while (discarded <= drainBytes)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(0, DrainBufferSize), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0) return; // the peer's FIN: both sides are done
                discarded += read;
            }
        }
        catch (OperationCanceledException)
        {
            // The peer kept its side open past the deadline; it gets the FIN already sent.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
