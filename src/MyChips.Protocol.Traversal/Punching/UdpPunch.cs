using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// One UDP punch: both sides send small punch datagrams (a type byte and the shared token) to each other's observed
/// address until one arrives. The address it came from is the one to use, which differs from the observed one when
/// the other side's NAT picks a port per destination.
/// </summary>
public static class UdpPunch
{
    /// <summary>The type byte of a punch datagram.</summary>
    public const byte Type = (byte)'P';

    private const int ConfirmCount = 3;

    /// <summary>The other side's UDP address, or null when none of its punches arrived within <paramref name="timeout"/>.</summary>
    public static async Task<IPEndPoint?> TryAsync(Socket udp, IPEndPoint remote, ReadOnlyMemory<byte> token, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(udp);
        ArgumentNullException.ThrowIfNull(remote);
        var punch = new byte[1 + token.Length];
        punch[0] = Type;
        token.CopyTo(punch.AsMemory(1));
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(timeout);
        var sending = SendUntilCancelledAsync(udp, punch, remote, interval, window.Token);
        try
        {
            var heard = await ReceivePunchAsync(udp, punch, window.Token).ConfigureAwait(false);
            if (heard is not null)
            {
                // Confirm from this side too, now that its mapping towards the address heard exists.
                for (var i = 0; i < ConfirmCount; i++) await udp.SendToAsync(punch, SocketFlags.None, heard, CancellationToken.None).ConfigureAwait(false);
            }
            return heard;
        }
        finally
        {
            window.Cancel();
            await sending.ConfigureAwait(false);
        }
    }

    private static async Task SendUntilCancelledAsync(Socket udp, byte[] punch, IPEndPoint remote, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await udp.SendToAsync(punch, SocketFlags.None, remote, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    // unreachable for now: the next tick tries again
                }
            }
            while (await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<IPEndPoint?> ReceivePunchAsync(Socket udp, byte[] punch, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            try
            {
                var result = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                if (buffer.AsSpan(0, result.ReceivedBytes).SequenceEqual(punch)) return (IPEndPoint)result.RemoteEndPoint;
            }
            catch (SocketException)
            {
                // an ICMP error from an earlier punch: keep listening
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }
}
