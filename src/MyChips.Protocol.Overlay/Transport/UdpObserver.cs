using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MyChips.Protocol.Overlay.Transport;

/// <summary>
/// Answers UDP address probes at the overlay listener's own port, for the tokens its Observed answers handed out:
/// a 32-byte probe ('O', the 16-byte token, zeros) gets 'o' and the source address it came from as ASCII. The
/// answer is never longer than the probe, so the node cannot be used to amplify traffic.
/// </summary>
internal sealed class UdpObserver : IDisposable
{
    public const int TokenLength = 16;
    private const int ProbeLength = 32;
    private const int MaxTokens = 4096;

    private readonly Socket _socket;
    private readonly ConcurrentDictionary<string, byte> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly CancellationTokenSource _stop = new();

    private UdpObserver(Socket socket)
    {
        _socket = socket;
        _ = AnswerAsync();
    }

    /// <summary>Listens on UDP at the TCP listener's address and port; null when that UDP port is taken (the node then hands out no tokens).</summary>
    public static UdpObserver? TryStart(IPEndPoint listener)
    {
        var socket = new Socket(listener.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(listener);
            return new UdpObserver(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>A fresh token the next probe may carry (the oldest are forgotten beyond 4,096).</summary>
    public byte[] Issue()
    {
        var token = RandomNumberGenerator.GetBytes(TokenLength);
        var key = Convert.ToHexString(token);
        _tokens[key] = 0;
        _issued.Enqueue(key);
        while (_issued.Count > MaxTokens && _issued.TryDequeue(out var oldest)) _tokens.TryRemove(oldest, out _);
        return token;
    }

    private async Task AnswerAsync()
    {
        var buffer = new byte[ProbeLength + 1];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                if (Answer(buffer.AsSpan(0, received.ReceivedBytes), received.RemoteEndPoint) is { } answer)
                    await _socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // an ICMP error from an earlier answer: keep answering others
            }
        }
    }

    private byte[]? Answer(ReadOnlySpan<byte> probe, EndPoint from)
    {
        if (probe.Length != ProbeLength || probe[0] != (byte)'O' || !_tokens.ContainsKey(Convert.ToHexString(probe.Slice(1, TokenLength)))) return null;
        var text = Encoding.ASCII.GetBytes(from.ToString()!);
        return text.Length + 1 > ProbeLength ? null : [(byte)'o', .. text];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
