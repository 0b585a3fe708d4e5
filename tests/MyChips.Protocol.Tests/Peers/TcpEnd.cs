using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>How the other side of a TCP connection ended it.</summary>
internal enum TcpClose
{
    /// <summary>An orderly close: every byte sent arrived, then end of stream.</summary>
    Fin,

    /// <summary>An abortive close: the read failed with a connection reset.</summary>
    Reset,
}

/// <summary>
/// The far end of a node's connection, played by a bare socket: writes raw-mode frames and reports whether the
/// node ended the connection with a FIN or a reset.
/// </summary>
internal sealed class TcpEnd : IDisposable
{
    private readonly Socket _socket;

    public TcpEnd(Socket socket) => _socket = socket;

    public static async Task<TcpEnd> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new TcpEnd(socket);
    }

    public async Task SendFrameAsync(char type, ReadOnlyMemory<byte> body) =>
        await _socket.SendAsync(RawClient.Frame((byte)type, body.Span));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Reads one whole frame.</summary>
    public async Task<(char Type, byte[] Body)> ReadFrameAsync()
    {
        var header = await ReadExactlyAsync(5);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header);
        return ((char)header[4], await ReadExactlyAsync(length - 1));
    }

    /// <summary>Reads, discarding, until the node closes; says how it closed and how many bytes came first.</summary>
    public async Task<(TcpClose How, long Bytes)> ReadToCloseAsync()
    {
        using var deadline = new CancellationTokenSource(TestSite.Deadline);
        var buffer = new byte[65536];
        long total = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0) return (TcpClose.Fin, total);
                total += read;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return (TcpClose.Reset, total);
        }
    }

    /// <summary>Reads exactly this many bytes, for protocols that are not length-prefixed.</summary>
    public Task<byte[]> ReadBytesAsync(int count) => ReadExactlyAsync(count);

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TestSite.Deadline);
        var bytes = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, deadline.Token);
            if (n == 0) throw new IOException($"The node closed after {read} of {count} bytes.");
            read += n;
        }
        return bytes;
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>A listener that plays a raw-mode responder by hand: takes N, C and K, answers A, and says nothing more unless told.</summary>
internal sealed class RawResponder : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public RawResponder() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Accepts the node's connection, reads its N, its offer C (receipts and batches) and its K, and answers A,
    /// accepting receipts only or (as a peer that knows no extension) with an empty payload: the node is open, and
    /// writes each message as a T.
    /// </summary>
    public Task<TcpEnd> AcceptAndOpenAsync(bool receipts = false) => AcceptAndOpenAsync(receipts ? new byte[] { 1 } : []);

    /// <summary>As above, answering A with these accepted extensions (1: receipts, 2: batches).</summary>
    public async Task<TcpEnd> AcceptAndOpenAsync(byte[] accepted)
    {
        var end = new TcpEnd(await _listener.AcceptSocketAsync().WaitAsync(TestSite.Deadline));
        Assert.Equal('N', (await end.ReadFrameAsync()).Type);
        var (type, offer) = await end.ReadFrameAsync();
        Assert.Equal(('C', "03"), (type, Convert.ToHexString(offer)));
        Assert.Equal('K', (await end.ReadFrameAsync()).Type);
        await end.SendFrameAsync('A', accepted);
        return end;
    }

    public void Dispose() => _listener.Dispose();
}
