using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>
/// The relay beside the rendezvous server: two clients that were told the same circuit id connect to the relay port
/// and send it; once both are there the relay answers each with one byte and copies bytes between them until either
/// closes or a limit is reached. It only joins circuits the server forwarded a relay signal for, and it sees only the
/// end-to-end encrypted stream the two clients run inside.
/// </summary>
internal sealed class RelayCircuits : IAsyncDisposable
{
    public const int CircuitIdLength = 16;
    internal const byte Joined = 1;

    private readonly RelayLimits _limits;
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<string, DateTime> _expected = new();
    private readonly ConcurrentDictionary<string, WaitingSide> _waiting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private readonly Task _acceptLoop;
    private int _active;
    private long _joined;
    private long _bytes;

    public RelayCircuits(IPEndPoint endPoint, RelayLimits limits)
    {
        _limits = limits;
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(endPoint);
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Circuits joined so far.</summary>
    public long CircuitsJoined => Interlocked.Read(ref _joined);

    /// <summary>Bytes copied through circuits so far, both directions.</summary>
    public long BytesRelayed => Interlocked.Read(ref _bytes);

    /// <summary>Lets the circuit <paramref name="circuit"/> be joined for the next <see cref="RelayLimits.JoinWithin"/>.</summary>
    public void Expect(byte[] circuit)
    {
        var now = DateTime.UtcNow;
        foreach (var stale in _expected.Where(e => e.Value < now)) _expected.TryRemove(stale.Key, out _);
        if (_expected.Count < _limits.MaxPending) _expected[Convert.ToHexString(circuit)] = now + _limits.JoinWithin;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }
            lock (_running)
            {
                _running.RemoveAll(t => t.IsCompleted);
                _running.Add(JoinAsync(socket));
            }
        }
    }

    private async Task JoinAsync(Socket socket)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        window.CancelAfter(_limits.JoinWithin);
        try
        {
            var id = new byte[CircuitIdLength];
            for (var read = 0; read < id.Length;)
            {
                var n = await socket.ReceiveAsync(id.AsMemory(read), SocketFlags.None, window.Token).ConfigureAwait(false);
                if (n == 0) throw new InvalidOperationException("closed before naming a circuit");
                read += n;
            }
            var key = Convert.ToHexString(id);
            if (!_expected.ContainsKey(key)) throw new InvalidOperationException("a circuit the server did not name");
            var mine = new WaitingSide(socket);
            var first = _waiting.GetOrAdd(key, mine);
            if (first == mine)
            {
                // The first side waits; the second one splices both and then lets it go.
                using var _ = window.Token.Register(() => mine.Done.TrySetCanceled());
                await mine.Done.Task.ConfigureAwait(false);
                return;
            }
            _waiting.TryRemove(key, out _);
            _expected.TryRemove(key, out _);
            if (Interlocked.Increment(ref _active) > _limits.MaxCircuits)
            {
                Interlocked.Decrement(ref _active);
                first.Socket.Dispose();
                throw new InvalidOperationException("too many circuits");
            }
            try
            {
                if (!first.Done.TrySetResult()) throw new InvalidOperationException("the first side gave up");
                await SpliceAsync(first.Socket, socket).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            foreach (var entry in _waiting.Where(w => w.Value.Socket == socket)) _waiting.TryRemove(entry.Key, out _);
            socket.Dispose();
        }
    }

    private sealed record WaitingSide(Socket Socket)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task SpliceAsync(Socket a, Socket b)
    {
        Interlocked.Increment(ref _joined);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        window.CancelAfter(_limits.MaxDuration);
        try
        {
            await a.SendAsync(new[] { Joined }, SocketFlags.None, window.Token).ConfigureAwait(false);
            await b.SendAsync(new[] { Joined }, SocketFlags.None, window.Token).ConfigureAwait(false);
            var ab = CopyAsync(a, b, window);
            var ba = CopyAsync(b, a, window);
            await Task.WhenAny(ab, ba).ConfigureAwait(false);
            window.Cancel(); // one side ended or hit a limit: the circuit ends
            await Task.WhenAll(ab, ba).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private async Task CopyAsync(Socket from, Socket to, CancellationTokenSource window)
    {
        var buffer = new byte[16 * 1024];
        long copied = 0;
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, window.Token).ConfigureAwait(false);
                if (n == 0) return;
                copied += n;
                if (copied > _limits.MaxBytesPerDirection) return;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, window.Token).ConfigureAwait(false);
                Interlocked.Add(ref _bytes, n);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (_running) running = [.. _running];
        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }
}

/// <summary>
/// What the relay allows (libp2p circuit relay v2 as the model): circuits at once, bytes each way and duration per
/// circuit. Calls need more than circuit v2's 128 KiB and 2 minutes, hence larger defaults.
/// </summary>
public sealed record RelayLimits
{
    public int MaxCircuits { get; init; } = 16;
    public long MaxBytesPerDirection { get; init; } = 16 * 1024 * 1024;
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a named circuit waits for its two sides.</summary>
    public TimeSpan JoinWithin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Circuits named but not yet joined.</summary>
    public int MaxPending { get; init; } = 256;
}
