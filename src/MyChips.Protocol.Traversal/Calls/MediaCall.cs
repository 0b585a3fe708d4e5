using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace MyChips.Protocol.Traversal.Calls;

/// <summary>
/// The media of one call: sealed datagrams both ways, over a UDP socket (the one that punched the hole, so the NAT
/// mapping is reused) or, when no UDP path opened, over the call's channel. Lost datagrams are simply missing,
/// reordered ones are delivered in arrival order with their counters, and replays, forgeries and strays are counted
/// and dropped. Over UDP the remote address follows the source of the latest authentic datagram, so a NAT that
/// rebinds the peer's port does not break the call.
/// </summary>
public sealed class MediaCall : IAsyncDisposable
{
    private readonly Socket? _socket;
    private readonly bool _ownsSocket;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? _sendOnChannel;
    private readonly MediaSealer _sealer;
    private readonly MediaOpener _opener;
    private readonly Channel<MediaFrame> _received;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _sealing = new(1, 1);
    private readonly Lock _opening = new();
    private readonly byte[] _payload = new byte[MediaDatagram.MaxPayloadLength];
    private readonly CallStatistics _statistics = new();
    private readonly Task _receiveLoop;
    private IPEndPoint? _remote;

    private MediaCall(Socket? socket, bool ownsSocket, IPEndPoint? remote, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? sendOnChannel, CallKeys keys, int receiveQueueCapacity)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _socket = socket;
        _ownsSocket = ownsSocket;
        _remote = remote;
        _sendOnChannel = sendOnChannel;
        _sealer = new MediaSealer(keys.SendKey);
        _opener = new MediaOpener(keys.ReceiveKey);
        _received = Channel.CreateBounded<MediaFrame>(new BoundedChannelOptions(receiveQueueCapacity));
        _receiveLoop = socket is null ? Task.CompletedTask : Task.Run(ReceiveLoopAsync);
    }

    /// <summary>A call over <paramref name="socket"/> (closed with the call if <paramref name="ownsSocket"/>) towards <paramref name="remote"/>.</summary>
    public static MediaCall OverUdp(Socket socket, IPEndPoint remote, CallKeys keys, bool ownsSocket = true, int receiveQueueCapacity = 1024) =>
        new(socket ?? throw new ArgumentNullException(nameof(socket)), ownsSocket, remote ?? throw new ArgumentNullException(nameof(remote)), null, keys, receiveQueueCapacity);

    /// <summary>A call whose datagrams <paramref name="send"/> carries on the channel; the other side's arrive through <see cref="Deliver"/>.</summary>
    public static MediaCall OverChannel(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CallKeys keys, int receiveQueueCapacity = 1024) =>
        new(null, false, null, send ?? throw new ArgumentNullException(nameof(send)), keys, receiveQueueCapacity);

    /// <summary>Whether media go over UDP (or else on the channel).</summary>
    public bool IsUdp => _socket is not null;

    /// <summary>Where UDP datagrams go now; null on the channel.</summary>
    public IPEndPoint? Remote => Volatile.Read(ref _remote);

    /// <summary>The local address of the call's UDP socket; null on the channel.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <summary>The authentic, new datagrams, in arrival order; completes when the call is disposed.</summary>
    public ChannelReader<MediaFrame> Received => _received.Reader;

    /// <summary>What was sent and what became of each datagram received.</summary>
    public CallStatistics Statistics => _statistics;

    /// <summary>Seals <paramref name="payload"/> (at most <see cref="MediaDatagram.MaxPayloadLength"/> bytes) and sends it.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        await SendSealedAsync(Seal(payload.Span), cancellationToken).ConfigureAwait(false);

    /// <summary>Seals <paramref name="payload"/> with the next counter without sending it (for pacing, or to send it later or twice).</summary>
    public byte[] Seal(ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[MediaDatagram.HeaderLength + payload.Length + MediaDatagram.TagLength];
        _sealing.Wait();
        try
        {
            _sealer.Seal(payload, buffer);
        }
        finally
        {
            _sealing.Release();
        }
        return buffer;
    }

    /// <summary>Sends a datagram <see cref="Seal"/> made; the receiver's replay window decides whether it counts again.</summary>
    public async ValueTask SendSealedAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        if (_socket is not null) await _socket.SendToAsync(datagram, SocketFlags.None, Remote!, cancellationToken).ConfigureAwait(false);
        else await _sendOnChannel!(datagram, cancellationToken).ConfigureAwait(false);
        _statistics.CountSent();
    }

    /// <summary>Takes one datagram that arrived some other way (a Media packet on the channel); returns what became of it.</summary>
    public MediaVerdict Deliver(ReadOnlySpan<byte> datagram) => Open(datagram, null);

    private MediaVerdict Open(ReadOnlySpan<byte> datagram, IPEndPoint? from)
    {
        lock (_opening)
        {
            var verdict = _opener.Open(datagram, _payload, out var length, out var counter);
            _statistics.Count(verdict);
            if (verdict != MediaVerdict.Accepted) return verdict;
            if (from is not null) Volatile.Write(ref _remote, from);
            if (!_received.Writer.TryWrite(new MediaFrame(counter, _payload.AsSpan(0, length).ToArray(), Stopwatch.GetTimestamp())))
                _statistics.CountOverflow(); // a reader that falls behind loses media, never memory
            return verdict;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var datagram = new byte[MediaDatagram.MaxLength + 1]; // one more, so that an oversized datagram shows as such
        EndPoint any = new IPEndPoint(_socket!.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
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
                Open(datagram.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Stops receiving, and closes the socket if the call owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        await _receiveLoop.ConfigureAwait(false);
        lock (_opening) _received.Writer.TryComplete();
        if (_ownsSocket) _socket?.Dispose();
        _sealer.Dispose();
        _opener.Dispose();
        _stopping.Dispose();
        _sealing.Dispose();
    }
}

/// <summary>One authentic media datagram: its counter (gaps are losses), its payload and when it arrived (<see cref="Stopwatch"/> ticks).</summary>
public readonly record struct MediaFrame(ulong Counter, byte[] Payload, long ArrivedAt);
