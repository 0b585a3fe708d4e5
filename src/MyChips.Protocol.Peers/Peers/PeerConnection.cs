using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// One TCP connection: the frame loop, the handshake of its role, then T and R both ways. The read side
/// uses zero-byte reads so an idle connection holds no receive buffer; writes are encrypted straight into
/// the pipe writer under a per-connection lock (the nonce order is the wire order).
/// </summary>
internal sealed partial class PeerConnection : IInitiatorActions, IResponderActions
{
    private const int ReceiptBodyLength = 8;

    private readonly PeerNode _node;
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConnectionCipher _cipher;
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

    private PeerCapabilities? _offered; // responder: what the initiator's C offered, if it sent one
    private List<PeerMessage>? _undelivered;

    // Delivery accounting: messages written and waiting for a receipt, by sequence.
    private readonly Queue<(long Sequence, OutgoingMessage Message)> _unconfirmed = new();
    private long _sentSequence;
    private long _receiptProgress; // when messages began to wait, or the last receipt that completed some
    private long _receivedCount;
    private long _receiptSentCount;

    // The spec's machine for this connection's role (a state field; Stateless is built per lifecycle step only).
    private readonly InitiatorConnection? _initiator;
    private readonly ResponderConnection? _responder;

    // Handshake state, dropped once open.
    private byte[]? _remoteStatic;
    private byte[]? _heldPayload;
    private OutgoingMessage? _firstMessage;
    private ReadOnlyMemory<byte> _initiatorRemoteStatic;
    private TaskCompletionSource<bool>? _opened;

    public PeerConnection(PeerNode node, long id, Socket socket, ConnectionDirection direction, long createdAt)
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
        _cipher = node.CreateCipher();
        _createdAt = createdAt;
        _lastActivity = _createdAt;
        if (direction == ConnectionDirection.Inbound) _responder = new ResponderConnection(this);
        else _initiator = new InitiatorConnection(this);
    }

    public long Id { get; }
    public ConnectionDirection Direction { get; }
    public EndPoint? RemoteEndPoint { get; }
    public AgentId RemoteAgent { get; private set; }
    /// <summary>True once the handshake completed (and, on a strict responder, the initiator confirmed the keys).</summary>
    public bool IsOpen => _initiator is not null ? _initiator.State == InitiatorState.Open : _responder!.State == ResponderState.Open;

    /// <summary>The spec's fast-path check: may this packet arrive in the current state?</summary>
    private bool Accepts(PacketType type) => _initiator?.Accepts(type) ?? _responder!.Accepts(type);
    public CloseReason CloseReason { get; private set; }
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes once the connection, closed, has sent its FIN (or found the socket gone).</summary>
    public Task FinSent => _finSent.Task;
    public TimeSpan Age => _node.Time.GetElapsedTime(_createdAt);

    private PeerNodeOptions Options => _node.Options;

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
    public async Task RunInitiatorHandshakeAsync(ReadOnlyMemory<byte> remoteStatic, OutgoingMessage first)
    {
        RemoteAgent = first.Destination.Agent;
        _firstMessage = first;
        _initiatorRemoteStatic = remoteStatic;
        _opened = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _timer = _node.Time.CreateTimer(static state => ((PeerConnection)state!).OnTimer(), this, Options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        _node.ReportState(this, ConnectionState.Handshaking);
        // The machine's action writes N+K or I; the read loop starts after, so only one flow drives the machine at a time.
        if (first.OpensWithTicket) await _initiator!.ConnectWithTicketAsync().ConfigureAwait(false);
        else await _initiator!.ConnectAsync().ConfigureAwait(false);
        StartReading();
        await _opened.Task.ConfigureAwait(false);
    }

    async ValueTask<ActionOutcome> IInitiatorActions.SendDeclareAndKnockAsync()
    {
        // The compatible modes name the sender as the deployed peer does; strict mode sends the application's bytes.
        var payload = Options.Mode == PeerMode.Strict
            ? _firstMessage!.Json
            : FirstMessageJson.Stamp(_firstMessage!.Json, null, Options.LocalKey, _node.ListenPort);
        await WriteHandshakeAsync(output =>
        {
            var declare = AgentIdCodec.ToBytes(Options.LocalKey.Agent.ToString());
            var body = FrameCodec.BeginFrame(output, PacketType.Declare, _cipher.DeclareLength(declare.Length));
            CompleteFrame(output, PacketType.Declare, _cipher.WriteDeclare(_initiatorRemoteStatic.Span, declare, body));
            WriteOffer(output);
            body = FrameCodec.BeginFrame(output, PacketType.Knock, _cipher.KnockLength(payload.Length));
            CompleteFrame(output, PacketType.Knock, _cipher.WriteKnock(_initiatorRemoteStatic.Span, payload.Span, body));
        }).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    async ValueTask<ActionOutcome> IInitiatorActions.SendTicketAsync()
    {
        var first = _firstMessage!;
        var payload = FirstMessageJson.Stamp(first.Json, first.Ticket, Options.LocalKey, _node.ListenPort);
        await WriteHandshakeAsync(output =>
        {
            WriteOffer(output);
            var body = FrameCodec.BeginFrame(output, PacketType.Ticket, _cipher.TicketLength(payload.Length));
            CompleteFrame(output, PacketType.Ticket, _cipher.WriteTicket(_initiatorRemoteStatic.Span, payload.Span, body));
        }).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    /// <summary>C, in the clear, right before K or I: the extensions this node offers (see <see cref="PeerCapabilities"/>).</summary>
    private void WriteOffer(PipeWriter output)
    {
        var offer = PeerCapabilitiesCodec.Encode(PeerCapabilitiesCodec.Supported);
        var body = FrameCodec.BeginFrame(output, PacketType.Offer, offer.Length);
        offer.CopyTo(body);
        CompleteFrame(output, PacketType.Offer, offer.Length);
    }

    /// <summary>Writes the first message's handshake frames; it is message 1 of the connection.</summary>
    private async Task WriteHandshakeAsync(Action<PipeWriter> write)
    {
        var first = _firstMessage!;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            write(_output);
            _sentSequence = 1;
            // Optimistic: whether the peer acknowledges is known from its A, which settles this message either way.
            if (first.Mode != DeliveryMode.Written) TrackFirstUnconfirmed(first);
            await FlushAsync().ConfigureAwait(false);
            PeerMetrics.MessagesSent.Add(1);
            Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or Noise.NoiseException)
        {
            Close(CloseReason.SocketError);
        }
        finally
        {
            _writeLock.Release();
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
