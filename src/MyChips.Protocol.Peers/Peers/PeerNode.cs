using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// A MyCHIPs site's peer node: listens for other sites, connects to them on demand, keeps one virtual
/// channel per remote agent over any open connection with it, and accounts for every message it is given:
/// each send ends in a <see cref="DeliveryReceipt"/> or a <see cref="DeliveryFailedException"/>.
/// </summary>
public sealed partial class PeerNode : IAsyncDisposable
{
    private readonly ConcurrentDictionary<AgentId, PeerChannel> _channels = new();
    private readonly ConcurrentDictionary<long, PeerConnection> _connections = new();
    private readonly Channel<PeerMessage> _inbox;
    private readonly AddressBlockList _blockList;
    private readonly InboundAdmission _admission;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _lastConnectionId;
    private readonly ProtocolNode _engine;

    public PeerNode(
        PeerNodeOptions options,
        IKeyProvider? keyProvider = null,
        ITicketStore? ticketStore = null,
        ILogger<PeerNode>? logger = null,
        TimeProvider? timeProvider = null,
        IReplayGuard? replayGuard = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        KeyProvider = keyProvider ?? new InMemoryKeyProvider();
        TicketStore = ticketStore ?? new InMemoryTicketStore(timeProvider);
        ReplayGuard = replayGuard ?? new InMemoryReplayGuard();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Time = timeProvider ?? TimeProvider.System;
        _blockList = new AddressBlockList(options.BlockList, Time);
        _admission = new InboundAdmission(options.Limits);
        _engine = new ProtocolNode(MyChipsPeerDescription.Instance, PeerNoise.Options(options, Time, Observe));
        _inbox = Channel.CreateBounded<PeerMessage>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public PeerNodeOptions Options { get; }
    public IKeyProvider KeyProvider { get; }

    /// <summary>Refuses a recorded K or I played again (default: the last 100,000 handshakes, in memory).</summary>
    public IReplayGuard ReplayGuard { get; }
    public ITicketStore TicketStore { get; }
    internal TimeProvider Time { get; }
    internal bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>This site's agent id.</summary>
    public AgentId Agent => Options.LocalKey.Agent;

    /// <summary>The end point the node listens on (the real port when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The node is not started.");

    internal int ListenPort => (_listener?.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>Received application messages, in arrival order per connection.</summary>
    public ChannelReader<PeerMessage> Messages => _inbox.Reader;

    /// <summary>Every step of every connection's life: connecting, handshaking, open, closed (with the reason).</summary>
    public event EventHandler<ConnectionStateChange>? ConnectionStateChanged;

    /// <summary>Connections open or in their handshake.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Inbound connections still in their handshake (counted against <see cref="PeerLimits.MaxPendingHandshakes"/>).</summary>
    public int PendingHandshakeCount => _admission.PendingHandshakes;

    /// <summary>Open connections with an agent, whichever side opened them.</summary>
    public int OpenConnectionCount(AgentId agent) => _channels.TryGetValue(agent, out var channel) ? channel.OpenCount : 0;

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsStopping, this);
        if (_listener is not null) throw new InvalidOperationException("The node is started already.");
        var listener = new Socket(Options.ListenEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(Options.ListenEndPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        PeerLog.Listening(_logger, Agent, LocalEndPoint, Options.Mode);
        _acceptLoop = AcceptLoopAsync(listener);
        return Task.CompletedTask;
    }

    /// <summary>Reads received messages until the node stops or the token fires.</summary>
    public IAsyncEnumerable<PeerMessage> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _inbox.Reader.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Sends a UTF-8 JSON object to an agent. With a <paramref name="ticket"/> and no open connection, the
    /// connection is a first-time one (I, Noise IK) and the message carries the ticket; otherwise N+K (Noise KK).
    /// </summary>
    /// <returns>The receipt, once delivered in the sense of the node's <see cref="DeliveryMode"/>.</returns>
    /// <exception cref="DeliveryFailedException">The message was not delivered; the reason says why.</exception>
    public Task<DeliveryReceipt> SendAsync(PeerDestination destination, ReadOnlyMemory<byte> utf8Json,
        ConnectionTicket? ticket = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Agent.IsEmpty) throw new ArgumentException("The destination names no agent.", nameof(destination));
        var message = new OutgoingMessage(destination, utf8Json, ticket, Options.EffectiveDelivery);
        if (IsStopping)
        {
            message.Fail(DeliveryFailure.NodeStopped, "the node is stopped.");
            return message.Task;
        }
        if (!MessageJson.LooksLikeObject(utf8Json.Span))
        {
            message.Fail(DeliveryFailure.InvalidMessage, "a message is a UTF-8 JSON object.");
            return message.Task;
        }
        var frameLength = 1 + utf8Json.Length + FirstMessageJson.FromAllowance + (ticket is null ? 0 : 1024) + (Options.Mode == PeerMode.Raw ? 0 : 96);
        if (frameLength > Options.EffectiveMaxFrameLength)
        {
            message.Fail(DeliveryFailure.MessageTooLarge,
                $"{utf8Json.Length} bytes of JSON do not fit the {Options.EffectiveMaxFrameLength}-byte frame limit of {Options.Mode} mode.");
            return message.Task;
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static m => ((OutgoingMessage)m!).TryCancel(), message);
            message.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        ChannelFor(destination.Agent).Send(message);
        return message.Task;
    }

    /// <summary>Sends a UTF-8 JSON object to an agent whose host and port the key provider knows.</summary>
    /// <exception cref="DeliveryFailedException">Unknown agent, key store unavailable, or not delivered.</exception>
    public async Task<DeliveryReceipt> SendAsync(AgentId agent, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default)
    {
        AgentRecord? record;
        try
        {
            record = await KeyProvider.FindAgentAsync(agent, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyStoreUnavailableException e)
        {
            PeerMetrics.DeliveryFailed(DeliveryFailure.KeyStoreUnavailable);
            throw new DeliveryFailedException(DeliveryFailure.KeyStoreUnavailable, $"Message to {agent} not delivered: {e.Message}", e);
        }
        if (record is null)
        {
            PeerMetrics.DeliveryFailed(DeliveryFailure.UnknownAgent);
            throw new DeliveryFailedException(DeliveryFailure.UnknownAgent, $"Message to {agent} not delivered: the key provider does not know the agent.");
        }
        return await SendAsync(PeerDestination.From(record), utf8Json, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers the sender of a received message: at the address the key provider knows for it, or else over a
    /// connection still open with it (a first-time visitor the site does not know yet). Fails with
    /// <see cref="DeliveryFailure.UnknownAgent"/> when neither exists; the node never guesses an address.
    /// </summary>
    public async Task<DeliveryReceipt> ReplyAsync(PeerMessage to, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        AgentRecord? record = null;
        KeyStoreUnavailableException? unavailable = null;
        try
        {
            record = await KeyProvider.FindAgentAsync(to.From, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyStoreUnavailableException e)
        {
            unavailable = e;
        }
        if (record is not null) return await SendAsync(PeerDestination.From(record), utf8Json, null, cancellationToken).ConfigureAwait(false);

        // The channel sends on the open connection; its remote end point is only where a new one would go.
        var open = _connections.Values.FirstOrDefault(c => c.RemoteAgent == to.From && c.IsOpen);
        if (open?.RemoteEndPoint is IPEndPoint remote)
            return await SendAsync(new PeerDestination(to.From, remote.Address.ToString(), remote.Port), utf8Json, null, cancellationToken).ConfigureAwait(false);

        var failure = unavailable is null ? DeliveryFailure.UnknownAgent : DeliveryFailure.KeyStoreUnavailable;
        PeerMetrics.DeliveryFailed(failure);
        throw new DeliveryFailedException(failure, unavailable is null
            ? $"Reply to {to.From} not delivered: no connection with it is open and the key provider does not know where it listens."
            : $"Reply to {to.From} not delivered: no connection with it is open and {unavailable.Message}", unavailable);
    }

    /// <summary>Sends a typed message, serialized with the given (source-generated) JSON type info.</summary>
    public Task<DeliveryReceipt> SendAsync<T>(PeerDestination destination, T message, JsonTypeInfo<T> typeInfo,
        ConnectionTicket? ticket = null, CancellationToken cancellationToken = default) =>
        SendAsync(destination, JsonSerializer.SerializeToUtf8Bytes(message, typeInfo), ticket, cancellationToken);

    /// <summary>Closes every connection with an agent (messages not yet acknowledged on them fail).</summary>
    public void Disconnect(AgentId agent)
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.RemoteAgent == agent) connection.Close();
        }
    }

    /// <summary>
    /// Stops listening and refuses new messages; gives the messages already on open connections up to
    /// <see cref="PeerNodeOptions.ShutdownGracePeriod"/> to be written and acknowledged; then closes every
    /// connection with a FIN, fails every message not yet delivered with <see cref="DeliveryFailure.NodeStopped"/>,
    /// and ends <see cref="Messages"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (IsStopping) return;
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        foreach (var channel in _channels.Values) channel.Stop();
        await SettleAsync().ConfigureAwait(false);
        var closing = _connections.Values.ToArray();
        foreach (var connection in closing) connection.Close();
        _inbox.Writer.TryComplete();
        // Every peer gets its FIN before this returns, so a process that exits next ends no connection with a reset; the
        // engine then drains each peer's last bytes. The wait is bounded: a read loop is never held longer than a key
        // store call, a drain no longer than PeerLimits.CloseDrainTimeout.
        var stopped = _engine.DisposeAsync().AsTask();
        try
        {
            await stopped.WaitAsync(FinWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _ = stopped.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            PeerLog.FinsPending(_logger, closing.Count(c => !c.Ended.IsCompleted));
        }
        // _stopping is not disposed: connects still winding down may read its token.
    }

    /// <summary>Waits, within the grace period, for every message already handed to a connection to settle.</summary>
    private async Task SettleAsync()
    {
        if (Options.ShutdownGracePeriod <= TimeSpan.Zero) return;
        var pending = new List<Task>();
        foreach (var connection in _connections.Values) connection.CollectPending(pending);
        if (pending.Count == 0) return;
        var settled = Task.WhenAll(pending);
        // A failed message is reported to its sender; here it only ends the wait.
        _ = settled.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using var graceOver = new CancellationTokenSource();
        var grace = Task.Delay(Options.ShutdownGracePeriod, Time, graceOver.Token);
        await Task.WhenAny(settled, grace).ConfigureAwait(false);
        await graceOver.CancelAsync().ConfigureAwait(false);
    }

    private static readonly TimeSpan FinWait = TimeSpan.FromSeconds(5);
    internal long NextConnectionId() => Interlocked.Increment(ref _lastConnectionId);

    /// <summary>Every frame read or written: the byte counters and the application's packet observer.</summary>
    private void Observe(FrameTrace frame)
    {
        (frame.Outgoing ? PeerMetrics.BytesSent : PeerMetrics.BytesReceived).Add(frame.Size);
        if (Options.PacketObserver is { } observer && frame.Connection.Session is IPeerSession session)
            observer(new PacketTrace(session.Peer.Id, frame.Outgoing, (PacketType)frame.PacketType, frame.Size - 4)); // without the 4-byte length
    }

    private PeerChannel ChannelFor(AgentId agent) => _channels.GetOrAdd(agent, static (a, node) => new PeerChannel(node, a), this);

    /// <summary>
    /// Runs a session's connection on the engine over a connected socket; false (the socket closed, the connection
    /// reported closed) when the engine cannot take it, as when the node stops meanwhile.
    /// </summary>
    private bool Run(IPeerSession session, Socket socket, ConnectionRole role, ReadOnlyMemory<byte> peerStaticKey)
    {
        var connection = session.Peer;
        _connections[connection.Id] = connection;
        PeerMetrics.ConnectionsActive.Add(1);
        try
        {
            _engine.Adopt(socket, role, (ProtocolSession)session, peerStaticKey);
        }
        catch (Exception e) when (e is ObjectDisposedException or ArgumentException or SocketException or IOException)
        {
            socket.Dispose();
            connection.Closed(new ConnectionCloseReason(IsStopping ? ConnectionCloseKind.LocalClosed : ConnectionCloseKind.SocketError, e.Message));
            return false;
        }
        // Reported once the engine runs it, with the spec's handshake timeout armed.
        ReportState(connection, ConnectionState.Handshaking);
        // A node stopping while this connection was being made must not leave it behind.
        if (IsStopping) connection.Close();
        return true;
    }

    internal void Resend(OutgoingMessage message) => ChannelFor(message.Destination.Agent).Resend(message);

    internal bool TryDeliver(PeerMessage message)
    {
        if (!_inbox.Writer.TryWrite(message)) return false;
        PeerMetrics.MessagesReceived.Add(1);
        return true;
    }

    internal async ValueTask DeliverAsync(PeerMessage message)
    {
        await _inbox.Writer.WriteAsync(message).ConfigureAwait(false);
        PeerMetrics.MessagesReceived.Add(1);
    }

    internal void OnOpened(PeerConnection connection)
    {
        connection.Lease?.Opened();
        PeerMetrics.ConnectionsOpened.Add(1);
        PeerLog.Opened(_logger, connection.Id, connection.Direction, connection.RemoteAgent, connection.RemoteEndPoint);
        // In the channel first: whoever sees the state change may send at once, over this connection.
        ChannelFor(connection.RemoteAgent).Opened(connection);
        ReportState(connection, ConnectionState.Open);
    }

    internal void OnClosed(PeerConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        connection.Lease?.Release();
        PeerMetrics.ConnectionsActive.Add(-1);
        var reason = connection.CloseReason;
        PeerMetrics.Closed(reason);
        if (!connection.RemoteAgent.IsEmpty && _channels.TryGetValue(connection.RemoteAgent, out var channel)) channel.Closed(connection);
        if (reason.IsHostile() && connection.Direction == ConnectionDirection.Inbound)
        {
            PeerLog.ClosedHostile(_logger, connection.Id, connection.Direction, connection.RemoteEndPoint, reason.ToTag());
            if (connection.RemoteEndPoint is IPEndPoint remote && _blockList.RecordFailure(remote.Address))
                PeerLog.Blocked(_logger, remote.Address);
        }
        else
        {
            PeerLog.Closed(_logger, connection.Id, connection.Direction, connection.RemoteAgent, reason.ToTag());
        }
        ReportState(connection, ConnectionState.Closed);
    }

    internal void ReportState(PeerConnection connection, ConnectionState state) =>
        RaiseState(new ConnectionStateChange(connection.Id, connection.Direction, state, connection.RemoteAgent,
            connection.RemoteEndPoint, state == ConnectionState.Closed ? connection.CloseReason : CloseReason.None, connection.Age));

    private void RaiseState(ConnectionStateChange change)
    {
        var handler = ConnectionStateChanged;
        if (handler is null) return;
        try
        {
            handler(this, change);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A faulty observer must not break the connection that reported to it.
            _logger.LogError(e, "A ConnectionStateChanged handler threw");
        }
    }
}
