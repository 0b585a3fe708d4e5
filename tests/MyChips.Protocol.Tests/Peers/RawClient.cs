using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>A bare TCP client that writes whatever bytes a test wants, to play a hostile or replaying peer.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly Socket _socket;

    private RawClient(Socket socket) => _socket = socket;

    public static async Task<RawClient> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawClient(socket);
    }

    public static byte[] Frame(byte type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(body.Length + 1));
        frame[4] = type;
        body.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    public Task SendFrameAsync(char type, ReadOnlySpan<byte> body) => SendAsync(Frame((byte)type, body));

    /// <summary>Reads until the node closes the connection; returns every byte it sent before (a silent close sends none).</summary>
    public async Task<byte[]> ReadUntilClosedAsync()
    {
        using var cts = new CancellationTokenSource(TestSite.Deadline);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0) break;
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
        return received.ToArray();
    }

    /// <summary>Reads exactly one frame (type and body).</summary>
    public async Task<(char Type, byte[] Body)> ReadFrameAsync()
    {
        using var cts = new CancellationTokenSource(TestSite.Deadline);
        var header = new byte[5];
        await ReadExactlyAsync(header, cts.Token);
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
        await ReadExactlyAsync(body, cts.Token);
        return ((char)header[4], body);
    }

    private async Task ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, cancellationToken);
            if (read == 0) throw new IOException("The node closed the connection.");
            offset += read;
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>A loopback TCP proxy that records what the client side sends, to replay it later.</summary>
internal sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly MemoryStream _fromClient = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _loop;

    public RecordingProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public byte[] ClientBytes
    {
        get
        {
            lock (_fromClient) return _fromClient.ToArray();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync();
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target));
                lock (_sockets) _sockets.AddRange([client, server]);
                _ = PumpAsync(client, server, record: true);
                _ = PumpAsync(server, client, record: false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool record)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer);
                if (read == 0) break;
                if (record)
                {
                    lock (_fromClient) _fromClient.Write(buffer, 0, read);
                }
                await to.SendAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        to.Dispose();
        from.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
        }
        await _loop;
    }
}
