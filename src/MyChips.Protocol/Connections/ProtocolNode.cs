using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>
/// Listens and connects for one protocol: each accepted socket gets a new responder session, each outgoing
/// connection the initiator session given. The node knows no protocol; the description and sessions do.
/// </summary>
public sealed class ProtocolNode : IAsyncDisposable
{
    private readonly ProtocolDescription _protocol;
    private readonly ConnectionOptions _options;
    private readonly ConcurrentDictionary<ProtocolConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    public ProtocolNode(ProtocolDescription protocol, ConnectionOptions? options = null)
    {
        _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));
        _options = options ?? new ConnectionOptions();
        _options.EffectiveMaxFrameLength(protocol); // a bad limit fails here, not on the first connection
    }

    public ProtocolDescription Protocol => _protocol;

    /// <summary>The address the node listens on, once <see cref="Listen"/> was called.</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>The connections open now, both ways.</summary>
    public IReadOnlyCollection<ProtocolConnection> Connections => _connections.Keys.ToArray();

    /// <summary>Starts accepting on <paramref name="endPoint"/> (port 0 picks one); each connection gets a session from <paramref name="createSession"/>.</summary>
    public IPEndPoint Listen(IPEndPoint endPoint, Func<ProtocolSession> createSession)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(createSession);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_listener is not null) throw new InvalidOperationException("The node is listening already.");
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, createSession);
        return LocalEndPoint!;
    }

    /// <summary>
    /// Connects and starts the initiator's session; returns once the socket is up (the handshake follows, driven
    /// by the session's first step). <paramref name="peerStaticKey"/> is the responder's static key, for patterns
    /// that know it in advance (NK, IK, KK...).
    /// </summary>
    public async Task<ProtocolConnection> ConnectAsync(EndPoint remote, ProtocolSession session, ReadOnlyMemory<byte> peerStaticKey = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(session);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return Run(ConnectionRole.Initiator, socket, session, peerStaticKey);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a connection over a socket that was connected some other way (a hole punched by a simultaneous open,
    /// a relay's circuit); the node owns the socket from then on. Two sides that both dialled agree beforehand
    /// which of them is the <see cref="ConnectionRole.Initiator"/>.
    /// </summary>
    public ProtocolConnection Adopt(Socket connected, ConnectionRole role, ProtocolSession session, ReadOnlyMemory<byte> peerStaticKey = default)
    {
        ArgumentNullException.ThrowIfNull(connected);
        ArgumentNullException.ThrowIfNull(session);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (!connected.Connected || connected.SocketType != SocketType.Stream)
            throw new ArgumentException("The socket is not a connected stream socket.", nameof(connected));
        connected.NoDelay = true;
        return Run(role, connected, session, peerStaticKey);
    }

    private async Task AcceptLoopAsync(Socket listener, Func<ProtocolSession> createSession)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue; // one failed accept (a reset before it was taken) does not stop the node
            }
            if (_connections.Count >= _options.MaxConnections)
            {
                socket.Dispose(); // admission: over the limit, the newcomer is turned away at once
                continue;
            }
            socket.NoDelay = true;
            try
            {
                Run(ConnectionRole.Responder, socket, createSession(), default);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                socket.Dispose(); // a session factory that failed costs this connection only
            }
        }
    }

    private ProtocolConnection Run(ConnectionRole role, Socket socket, ProtocolSession session, ReadOnlyMemory<byte> peerStaticKey)
    {
        var connection = new ProtocolConnection(_protocol, role, _options, socket, session, peerStaticKey, ended => _connections.TryRemove(ended, out _));
        _connections[connection] = 0;
        connection.Start();
        return connection;
    }

    /// <summary>Stops listening, closes every connection (queued packets are written first) and waits until each has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        var open = _connections.Keys.ToArray();
        foreach (var connection in open) connection.Close();
        await Task.WhenAll(open.Select(c => c.Completion)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
