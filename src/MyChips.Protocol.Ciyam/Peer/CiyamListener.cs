using System.Collections.Concurrent;
using System.Net;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Storage;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// A CIYAM peer listener on the connection engine: a <see cref="ProtocolNode"/> for the CIYAM spec whose every
/// accepted connection runs a <see cref="CiyamListenerSession"/> over one files area. It admits up to
/// <see cref="CiyamPeerOptions.MaxPeers"/> sessions (one more is answered with <c>(error)</c> and closed) and
/// remembers peers that failed a proof of storage.
/// </summary>
public sealed class CiyamListener : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly ProtocolNode _node;
    private readonly ConcurrentDictionary<CiyamListenerSession, byte> _sessions = new();
    private readonly ConcurrentQueue<FailedProof> _failedProofs = new();
    private readonly Lock _admitting = new();

    /// <param name="kept">Where files kept sealed for others are recorded; without it, push requests are plain blobs.</param>
    public CiyamListener(IPEndPoint endpoint, FilesArea area, CiyamPeerOptions? options = null, KeptFiles? kept = null)
    {
        _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Area = area ?? throw new ArgumentNullException(nameof(area));
        Options = options ?? new CiyamPeerOptions();
        Kept = kept;
        // Past the maximum a newcomer still gets its (error) line; past twice that the node turns it away unanswered.
        _node = new ProtocolNode(CiyamPeerDescription.Instance, Options.ForEngine(maxConnections: 2 * Options.MaxPeers + 1));
    }

    public FilesArea Area { get; }

    public CiyamPeerOptions Options { get; }

    public KeptFiles? Kept { get; }

    public IPEndPoint LocalEndPoint => _node.LocalEndPoint ?? _endpoint;

    /// <summary>Raised as each session starts: lets a host or test follow it.</summary>
    public event Action<CiyamListenerSession>? SessionStarted;

    /// <summary>Peers that answered a proof-of-storage chk wrongly, or not at all; their sessions were dropped.</summary>
    public IReadOnlyCollection<FailedProof> FailedProofs => _failedProofs;

    public int SessionCount => _sessions.Count;

    public void Start() => _node.Listen(_endpoint, () => new CiyamListenerSession(this));

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    /// <summary>The address a pip is answered with: another connected peer's, or 127.0.0.1 when there is none.</summary>
    internal string AnotherPeerThan(CiyamListenerSession session)
    {
        var others = _sessions.Keys.Where(s => s != session).Select(s => s.Remote.Address.ToString()).ToList();
        return others.Count == 0 ? "127.0.0.1" : others[Random.Shared.Next(others.Count)];
    }

    /// <summary>A session starting: false when the listener holds its maximum already.</summary>
    internal bool TryAdmit(CiyamListenerSession session)
    {
        lock (_admitting)
        {
            if (_sessions.Count >= Options.MaxPeers) return false;
            _sessions[session] = 0;
        }
        SessionStarted?.Invoke(session);
        return true;
    }

    internal void Leave(CiyamListenerSession session) => _sessions.TryRemove(session, out _);

    internal void RecordFailedProof(IPEndPoint peer, string hash) => _failedProofs.Enqueue(new FailedProof(peer, hash, Options.Time.GetUtcNow()));
}

/// <summary>A peer that failed to prove it still holds a file it was given.</summary>
public sealed record FailedProof(IPEndPoint Peer, string Hash, DateTimeOffset At);
