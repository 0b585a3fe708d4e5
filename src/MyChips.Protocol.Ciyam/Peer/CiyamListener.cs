using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Storage;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// A CIYAM peer listener: accepts TCP connections up to <see cref="CiyamPeerOptions.MaxPeers"/>, runs a
/// <see cref="CiyamListenerSession"/> for each over one files area, and remembers peers that failed a proof of storage.
/// </summary>
public sealed class CiyamListener : IAsyncDisposable
{
    private readonly TcpListener _socket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<CiyamListenerSession, Task> _sessions = new();
    private readonly ConcurrentQueue<FailedProof> _failedProofs = new();
    private Task _accepting = Task.CompletedTask;

    /// <param name="kept">Where files kept sealed for others are recorded; without it, push requests are plain blobs.</param>
    public CiyamListener(IPEndPoint endpoint, FilesArea area, CiyamPeerOptions? options = null, KeptFiles? kept = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Area = area ?? throw new ArgumentNullException(nameof(area));
        Options = options ?? new CiyamPeerOptions();
        Kept = kept;
        _socket = new TcpListener(endpoint);
    }

    public FilesArea Area { get; }

    public CiyamPeerOptions Options { get; }

    public KeptFiles? Kept { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndpoint;

    /// <summary>Raised as each session starts: lets a host or test follow it.</summary>
    public event Action<CiyamListenerSession>? SessionStarted;

    /// <summary>Peers that answered a proof-of-storage chk wrongly, or not at all; their sessions were dropped.</summary>
    public IReadOnlyCollection<FailedProof> FailedProofs => _failedProofs;

    public int SessionCount => _sessions.Count;

    public void Start()
    {
        _socket.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The address a pip is answered with: another connected peer's, or 127.0.0.1 when there is none.</summary>
    internal string AnotherPeerThan(CiyamListenerSession session)
    {
        var others = _sessions.Keys.Where(s => s != session).Select(s => s.Remote.Address.ToString()).ToList();
        return others.Count == 0 ? "127.0.0.1" : others[Random.Shared.Next(others.Count)];
    }

    internal void RecordFailedProof(IPEndPoint peer, string hash) => _failedProofs.Enqueue(new FailedProof(peer, hash, Options.Time.GetUtcNow()));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Stop();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            // Each chunk waits for a short acknowledgement line: Nagle's delay would stall every one of them.
            socket.NoDelay = true;
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (_sessions.Count >= Options.MaxPeers)
            {
                await RefuseAsync(stream).ConfigureAwait(false);
                continue;
            }
            var session = new CiyamListenerSession(this, stream, (IPEndPoint)socket.RemoteEndPoint!);
            var run = new Task<Task>(() => RunAsync(session));
            _sessions[session] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task RunAsync(CiyamListenerSession session)
    {
        SessionStarted?.Invoke(session);
        // Stopping the listener ends the session: its pending read fails once the stream is gone.
        await using (_stopping.Token.Register(() => _ = session.StopAsync()).ConfigureAwait(false))
            await session.RunAsync().ConfigureAwait(false);
        _sessions.TryRemove(session, out _);
    }

    private static async Task RefuseAsync(NetworkStream stream)
    {
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(CiyamReplies.ErrorPrefix + "max peers reached\r\n")).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Already gone.
            }
        }
    }
}

/// <summary>A peer that failed to prove it still holds a file it was given.</summary>
public sealed record FailedProof(IPEndPoint Peer, string Hash, DateTimeOffset At);
