using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace MyChips.Protocol.Traversal.Calls;

/// <summary>
/// The media path of one call: encrypted datagrams both ways over a UDP socket (the one that punched the hole,
/// so the NAT mapping is reused). Lost datagrams are simply missing, reordered ones are delivered in arrival order
/// with their counters, and replays, forgeries and strays are counted and dropped. The remote address follows the
/// source of the latest authentic datagram, so a NAT that rebinds the peer's port does not break the call.
/// </summary>
public sealed class UdpCall : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly MediaSealer _sealer;
    private readonly MediaOpener _opener;
    private readonly Channel<MediaFrame> _received;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CallStatistics _statistics = new();
    private readonly Task _receiveLoop;
    private IPEndPoint _remote;

    /// <summary>Starts the call on <paramref name="socket"/>, which it then owns, towards <paramref name="remote"/>.</summary>
    public UdpCall(Socket socket, IPEndPoint remote, CallKeys keys, int receiveQueueCapacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(keys);
        _socket = socket;
        _remote = remote ?? throw new ArgumentNullException(nameof(remote));
        _sealer = new MediaSealer(keys.SendKey);
        _opener = new MediaOpener(keys.ReceiveKey);
        _received = Channel.CreateBounded<MediaFrame>(new BoundedChannelOptions(receiveQueueCapacity) { SingleWriter = true });
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Where datagrams go now.</summary>
    public IPEndPoint Remote => Volatile.Read(ref _remote);

    /// <summary>The local address of the call's socket.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The authentic, new datagrams, in arrival order; completes when the call is disposed.</summary>
    public ChannelReader<MediaFrame> Received => _received.Reader;

    /// <summary>What was sent and what became of each datagram received.</summary>
    public CallStatistics Statistics => _statistics;

    /// <summary>Seals <paramref name="payload"/> (at most <see cref="MediaDatagram.MaxPayloadLength"/> bytes) and sends it.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MediaDatagram.MaxLength);
        try
        {
            int length;
            await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                length = _sealer.Seal(payload.Span, buffer);
            }
            finally
            {
                _sending.Release();
            }
            await _socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, Remote, cancellationToken).ConfigureAwait(false);
            _statistics.CountSent();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var datagram = new byte[MediaDatagram.MaxLength + 1]; // one more, so that an oversized datagram shows as such
        var payload = new byte[MediaDatagram.MaxPayloadLength];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await _socket.ReceiveFromAsync(datagram, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    continue; // an ICMP unreachable from an earlier send: the path may still open
                }
                var verdict = _opener.Open(datagram.AsSpan(0, result.ReceivedBytes), payload, out var length, out var counter);
                _statistics.Count(verdict);
                if (verdict != MediaVerdict.Accepted) continue;
                Volatile.Write(ref _remote, (IPEndPoint)result.RemoteEndPoint);
                if (!_received.Writer.TryWrite(new MediaFrame(counter, payload.AsSpan(0, length).ToArray(), Stopwatch.GetTimestamp())))
                    _statistics.CountOverflow(); // a reader that falls behind loses media, never memory
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    /// <summary>Stops receiving and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        await _receiveLoop.ConfigureAwait(false);
        _socket.Dispose();
        _sealer.Dispose();
        _opener.Dispose();
        _stopping.Dispose();
        _sending.Dispose();
    }
}

/// <summary>One authentic media datagram: its counter (gaps are losses), its payload and when it arrived (<see cref="Stopwatch"/> ticks).</summary>
public readonly record struct MediaFrame(ulong Counter, byte[] Payload, long ArrivedAt);
