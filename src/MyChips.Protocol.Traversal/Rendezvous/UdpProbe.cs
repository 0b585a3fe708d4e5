using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>
/// The UDP address probe beside the rendezvous protocol: a client sends a 32-byte probe ('O', the token from its
/// Observed packet, zero padding) to the server's port over UDP; the server answers with 'o' and the address it saw
/// the datagram come from, as ASCII. The answer is never longer than the probe, so the server cannot be used to
/// amplify traffic, and only registered clients' tokens are answered.
/// </summary>
public static class UdpProbe
{
    public const int TokenLength = 16;
    public const int ProbeLength = 32;
    public const byte ProbeType = (byte)'O';
    public const byte AnswerType = (byte)'o';

    /// <summary>Asks the server which address it sees <paramref name="udp"/> at; null when no answer came within the attempts.</summary>
    public static async Task<IPEndPoint?> AskAsync(Socket udp, IPEndPoint server, ReadOnlyMemory<byte> token, int attempts = 3, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        var probe = new byte[ProbeLength];
        probe[0] = ProbeType;
        token.Span[..TokenLength].CopyTo(probe.AsSpan(1));
        var buffer = new byte[ProbeLength];
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            await udp.SendToAsync(probe, SocketFlags.None, server, cancellationToken).ConfigureAwait(false);
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(wait ?? TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var result = await udp.ReceiveFromAsync(buffer, SocketFlags.None, server, window.Token).ConfigureAwait(false);
                    if (!result.RemoteEndPoint.Equals(server) || result.ReceivedBytes < 2 || buffer[0] != AnswerType) continue;
                    if (IPEndPoint.TryParse(Encoding.ASCII.GetString(buffer, 1, result.ReceivedBytes - 1), out var seen)) return seen;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // no answer this time: probe again
            }
            catch (SocketException)
            {
            }
        }
        return null;
    }

    /// <summary>The server's answer to <paramref name="probe"/>, or null when it is not a probe with a known token.</summary>
    internal static byte[]? Answer(ReadOnlySpan<byte> probe, EndPoint from, Func<byte[], bool> isKnownToken)
    {
        if (probe.Length != ProbeLength || probe[0] != ProbeType || !isKnownToken(probe.Slice(1, TokenLength).ToArray())) return null;
        var text = Encoding.ASCII.GetBytes(from.ToString()!);
        if (text.Length + 1 > ProbeLength) return null; // an IPv6 address too long to answer without amplifying
        return [AnswerType, .. text];
    }
}
