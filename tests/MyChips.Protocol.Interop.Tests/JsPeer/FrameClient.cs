using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace MyChips.Protocol.Interop.Tests.JsPeer;

/// <summary>
/// A bare TCP client speaking the MyCHIPs framing (4-byte big-endian length, type byte, body), for
/// driving the JavaScript peer in raw mode or with malformed input.
/// </summary>
internal sealed class FrameClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private FrameClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<FrameClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new FrameClient(client);
    }

    /// <summary>Accepts the next connection on a listener.</summary>
    public static async Task<FrameClient> AcceptAsync(TcpListener listener, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return new FrameClient(await listener.AcceptTcpClientAsync(deadline.Token));
    }

    public Task SendAsync(char type, string body) => SendAsync(type, Encoding.UTF8.GetBytes(body));

    public async Task SendAsync(char type, byte[] body)
    {
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(body.Length + 1));
        frame[4] = (byte)type;
        body.CopyTo(frame, 5);
        await _stream.WriteAsync(frame);
    }

    /// <summary>The next frame (type, body), or null when the peer closed the connection.</summary>
    public async Task<(char Type, byte[] Body)?> ReceiveAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(header, deadline.Token)) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var frame = new byte[length];
        if (!await ReadExactlyOrEndAsync(frame, deadline.Token)) return null;
        return length == 0 ? ('\0', []) : ((char)frame[0], frame[1..]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false; // reset by the peer
        }
    }
}
