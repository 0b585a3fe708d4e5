using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Connections.Delivery;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// One TCP connection: the frame loop, the handshake of its role, then T and R both ways. The read side
/// uses zero-byte reads so an idle connection holds no receive buffer; writes are encrypted straight into
/// the pipe writer under a per-connection lock (the nonce order is the wire order).
/// </summary>
internal sealed partial class PeerConnection
{
    internal const int ReceiptBodyLength = 8;

    private readonly PeerNode _node;
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly NoiseDriver _noise;
    private readonly long _createdAt;
    private ITimer? _timer;
    private long _lastActivity;
    private int _closed;
    private volatile bool _flushing;
    private int _reading; // 1 once the read loop, or Close before it ever started, owns the end of the socket
    private readonly TaskCompletionSource _finSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private const int MaxBatch = 256;
    // With the write stall timeout, this bounds what a peer that stops reading leaves in the outgoing pipe.
    private const int MaxBatchBytes = 256 * 1024;
    private readonly Queue<OutgoingMessage> _outbox = new();
    private List<OutgoingMessage>? _batch;
    private bool _writerActive;
    private bool _receiptDue;
    // Negotiated in C and A: only then are R packets sent, awaited and held for (a peer that never heard of R
    // must not see one, since each would move a transport nonce it does not move).
    private volatile bool _receipts;
    private volatile bool _batches; // negotiated too: a write batch may go as one B

    private List<PeerMessage>? _undelivered;

    // Delivery accounting: messages written and waiting for a receipt; messages received and the count last acknowledged.
    private readonly DeliveryLedger<OutgoingMessage> _ledger;
    private readonly ReceiptCounter _received = new();

    // The role's handshake: its machine, its state and the spec's actions.
    private readonly PeerSession _session;

    /// <summary>An accepted connection: the responder's handshake.</summary>
    public PeerConnection(PeerNode node, long id, Socket socket, long createdAt)
        : this(node, id, socket, ConnectionDirection.Inbound, createdAt, default, null)
    {
    }

    /// <summary>A connection this node opened to send <paramref name="first"/> (null: close it at once).</summary>
    public PeerConnection(PeerNode node, long id, Socket socket, long createdAt, ReadOnlyMemory<byte> remoteStatic, OutgoingMessage? first)
        : this(node, id, socket, ConnectionDirection.Outbound, createdAt, remoteStatic, first)
    {
    }

    private PeerConnection(PeerNode node, long id, Socket socket, ConnectionDirection direction, long createdAt,
        ReadOnlyMemory<byte> remoteStatic, OutgoingMessage? first)
    {
        _node = node;
        _socket = socket;
        Direction = direction;
        Id = id;
        RemoteEndPoint = socket.RemoteEndPoint;
        // The pipes leave the socket open: closing it is OrderlyClose's job, once no read or write is pending.
        var stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16384, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16384, leaveOpen: true));
        _noise = node.CreateNoise(direction, remoteStatic);
        _createdAt = createdAt;
        _ledger = new DeliveryLedger<OutgoingMessage>(node.Time);
        _lastActivity = _createdAt;
        _session = direction == ConnectionDirection.Inbound
            ? new ResponderSession(this)
            : new InitiatorSession(this, first);
        if (first is not null) RemoteAgent = first.Destination.Agent;
    }

    public long Id { get; }
    public ConnectionDirection Direction { get; }
    public EndPoint? RemoteEndPoint { get; }
    public AgentId RemoteAgent { get; internal set; }
    /// <summary>True once the handshake completed (and, on a strict responder, the initiator confirmed the keys).</summary>
    public bool IsOpen => _session.IsOpen;

    /// <summary>The spec's fast-path check: may this packet arrive in the current state?</summary>
    private bool Accepts(PacketType type) => _session.Accepts(type);
    public CloseReason CloseReason { get; private set; }
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes once the connection, closed, has sent its FIN (or found the socket gone).</summary>
    public Task FinSent => _finSent.Task;
    public TimeSpan Age => _node.Time.GetElapsedTime(_createdAt);

    internal PeerNodeOptions Options => _node.Options;

    // What the role's session uses of the connection.
    internal PeerNode Node => _node;
    internal NoiseDriver Crypto => _noise;

    /// <summary>Under the write lock: one handshake or clear packet, sealed as the spec declares it (Noise pattern and message).</summary>
    internal void WriteSealed(PipeWriter output, PacketType type, ReadOnlySpan<byte> payload)
    {
        var packet = PeerNoise.Packet(type);
        var body = FrameCodec.BeginFrame(output, type, _noise.GetBodyLength(packet, payload.Length));
        CompleteFrame(output, type, _noise.Seal(packet, payload, body));
    }

    /// <summary>A received handshake or clear packet opened as the spec declares it; false when it fails to (a wrong key, a bad MAC).</summary>
    internal bool TryOpen(PacketType type, byte[] message, out byte[] payload) =>
        _noise.TryOpen(PeerNoise.Packet(type), new ReadOnlySequence<byte>(message), out payload, out _);
    internal SemaphoreSlim WriteLock => _writeLock;
    internal PipeWriter Output => _output;
    internal bool Receipts => _receipts;

    /// <summary>What A settled: the extensions this connection uses from now on.</summary>
    internal void Negotiated(PeerCapabilities accepted)
    {
        _receipts = (accepted & PeerCapabilities.Receipts) != 0;
        _batches = (accepted & PeerCapabilities.Batches) != 0;
    }

    /// <summary>Inbound only: this connection's share of the node's connection and handshake limits.</summary>
    public InboundAdmission.Lease? Lease { get; init; }

    /// <summary>Responder: arms the handshake timeout and starts reading; the handshake runs in the read loop.</summary>
    public void Start()
    {
        _timer = _node.Time.CreateTimer(static state => ((PeerConnection)state!).OnTimer(), this, Options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        _node.ReportState(this, ConnectionState.Handshaking);
        StartReading();
    }

    /// <summary>
    /// Initiator: writes N+K (or I when the first message carries a ticket), then waits for A. The first message
    /// rides in K or I. Throws <see cref="DeliveryFailedException"/> when the handshake fails.
    /// </summary>
    public async Task RunInitiatorHandshakeAsync()
    {
        var initiator = (InitiatorSession)_session;
        _timer = _node.Time.CreateTimer(static state => ((PeerConnection)state!).OnTimer(), this, Options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        _node.ReportState(this, ConnectionState.Handshaking);
        // The machine's action writes N+K or I; the read loop starts after, so only one flow drives the machine at a time.
        await initiator.ConnectAsync().ConfigureAwait(false);
        StartReading();
        await initiator.Opened.ConfigureAwait(false);
    }

    /// <summary>Under the write lock: the first message went out in K or I; it is message 1 of the connection.</summary>
    internal void WroteFirstMessage(OutgoingMessage first)
    {
        _ledger.Number();
        // Optimistic: whether the peer acknowledges is known from its A, which settles this message either way.
        if (first.Mode != DeliveryMode.Written) TrackFirstUnconfirmed(first);
    }

    /// <summary>A said no receipts: the first message, tracked optimistically, waits for none.</summary>
    internal void ForgetUnconfirmed()
    {
        _ledger.Forget();
    }

    /// <summary>
    /// Handshake packets (before the open state) go to the role's session; what it refuses closes the connection
    /// silently with the reason it names.
    /// </summary>
    private async ValueTask<bool> HandleLifecycleAsync(PacketType type, ReadOnlySequence<byte> body)
    {
        // Handshake bodies are small and rare: one contiguous copy keeps the code simple.
        var outcome = await _session.ReceiveAsync(type, body.ToArray()).ConfigureAwait(false);
        return outcome.Kind switch
        {
            ActionOutcomeKind.Continue => true,
            ActionOutcomeKind.Close => Refuse(CloseReasonExtensions.FromTag(outcome.Reason) is var reason && reason != CloseReason.None ? reason : CloseReason.PacketNotAllowed),
            // Accepts() said yes, so this is a guard or a body the machine could not take.
            _ => Refuse(CloseReason.PacketNotAllowed),
        };
    }

    private bool Refuse(CloseReason reason)
    {
        Close(reason);
        return false;
    }

    /// <summary>The connection is open: the idle and receipt timers take over from the handshake timer.</summary>
    internal void MarkOpen()
    {
        if (IdleCloses || AwaitsReceipts)
        {
            Reschedule();
        }
        else
        {
            _timer?.Dispose();
            _timer = null;
        }
        _node.OnOpened(this);
    }

    /// <summary>When the read loop ends: moves the machine to its final state with the trigger the close reason names.</summary>
    private async ValueTask FireClosedAsync()
    {
        try
        {
            await _session.EndAsync(CloseReason).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException)
        {
            // The machine refusing a close trigger changes nothing: the socket is closed already.
        }
    }

    private async Task EndAsync()
    {
        await _input.CompleteAsync().ConfigureAwait(false);
        await FireClosedAsync().ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    private static bool IsReset(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted;
}
