using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Testing.Hostile;

/// <summary>
/// A raw TCP client that plays a hostile peer: it writes whatever bytes a test scripts and watches, on its
/// own receive loop, for the node to close the connection. Nothing here sleeps: pacing between bytes is
/// whatever the test awaits (a fake clock's advance, an event), and closes are awaited with a deadline.
/// </summary>
public sealed class HostilePeer : IDisposable
{
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _reading;

    private HostilePeer(Socket socket, bool read)
    {
        _socket = socket;
        _reading = read;
        if (read) _ = ReceiveLoopAsync();
    }

    /// <summary>
    /// Connects to <paramref name="target"/>, from <paramref name="from"/> when given (any 127.x.y.z address
    /// works on loopback, so hostile and legitimate peers can have different addresses in one test).
    /// With <paramref name="read"/> false the peer never reads what the node sends (its receive buffer fills).
    /// </summary>
    public static async Task<HostilePeer> ConnectAsync(IPEndPoint target, IPAddress? from = null, bool read = true,
        CancellationToken cancellationToken = default)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (from is not null) socket.Bind(new IPEndPoint(from, 0));
            if (!read) socket.ReceiveBufferSize = 4096;
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new HostilePeer(socket, read);
    }

    /// <summary>Completes when the node closed the connection (end of stream or reset).</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Every byte the node sent so far.</summary>
    public byte[] Received
    {
        get
        {
            lock (_received) return _received.ToArray();
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // Writing into a connection the node closed: the close is what the test looks for.
            _closed.TrySetResult();
        }
    }

    public Task SendFrameAsync(char type, ReadOnlySpan<byte> body) => SendAsync(HostileFrames.Frame(type, body));

    /// <summary>
    /// Slowloris: sends <paramref name="bytes"/> one at a time, awaiting <paramref name="between"/>(index) after
    /// each, and stops early once the node closed. Returns how many bytes were sent.
    /// </summary>
    public async Task<int> TrickleAsync(ReadOnlyMemory<byte> bytes, Func<int, ValueTask> between)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (IsClosed) return i;
            await SendAsync(bytes.Slice(i, 1)).ConfigureAwait(false);
            await between(i).ConfigureAwait(false);
        }
        return bytes.Length;
    }

    /// <summary>True when the node closed the connection within <paramref name="deadline"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan deadline)
    {
        if (!_reading) throw new InvalidOperationException("A peer that does not read cannot see the close.");
        try
        {
            await _closed.Task.WaitAsync(deadline).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Waits until the node sent at least one whole frame and returns the first one not returned yet.</summary>
    public async Task<(char Type, byte[] Body)> ReadFrameAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            lock (_received)
            {
                var bytes = _received.GetBuffer().AsSpan(0, (int)_received.Length);
                if (bytes.Length >= 5 && bytes.Length >= 4 + BinaryPrimitives.ReadUInt32BigEndian(bytes))
                {
                    var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes);
                    var frame = ((char)bytes[4], bytes.Slice(5, length - 1).ToArray());
                    var rest = bytes[(4 + length)..].ToArray();
                    _received.SetLength(0);
                    _received.Write(rest);
                    return frame;
                }
            }
            if (IsClosed) throw new IOException("The node closed the connection before sending a whole frame.");
            await _dataArrived.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    private readonly SemaphoreSlim _dataArrived = new(0);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0) break;
                lock (_received) _received.Write(buffer, 0, read);
                _dataArrived.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A reset is a close too.
        }
        _closed.TrySetResult();
        _dataArrived.Release();
    }

    public void Dispose() => _socket.Dispose();
}
