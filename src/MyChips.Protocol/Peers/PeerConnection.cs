using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
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
    private CloseReason _refusal;
    private TicketRedemption _redemption;

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

    async ValueTask IInitiatorActions.SendDeclareAndKnockAsync()
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
    }

    async ValueTask IInitiatorActions.SendTicketAsync()
    {
        var first = _firstMessage!;
        var payload = FirstMessageJson.Stamp(first.Json, first.Ticket, Options.LocalKey, _node.ListenPort);
        await WriteHandshakeAsync(output =>
        {
            WriteOffer(output);
            var body = FrameCodec.BeginFrame(output, PacketType.Ticket, _cipher.TicketLength(payload.Length));
            CompleteFrame(output, PacketType.Ticket, _cipher.WriteTicket(_initiatorRemoteStatic.Span, payload.Span, body));
        }).ConfigureAwait(false);
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
            if (first.Mode != DeliveryMode.Written) TrackUnconfirmed(1, first);
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

    /// <summary>
    /// Queues an application message for this connection. False when the connection is closed (the caller may
    /// send it elsewhere). Once queued, the message completes through a receipt, the flush (Written), the
    /// connection's close, or, if the connection closes before writing it, another connection.
    /// </summary>
    public bool TryEnqueue(OutgoingMessage message)
    {
        lock (_outbox)
        {
            if (IsClosed) return false;
            _outbox.Enqueue(message);
            if (_writerActive) return true;
            _writerActive = true;
        }
        StartWriter();
        return true;
    }

    /// <summary>
    /// Runs the write loop on a pool thread, never inline: a sender issuing messages back to back keeps queuing
    /// while the loop encrypts and flushes, so a burst leaves in a few large writes, not one write call per message.
    /// </summary>
    private void StartWriter() =>
        ThreadPool.UnsafeQueueUserWorkItem(static connection => _ = connection.WriteLoopAsync(), this, preferLocal: false);

    /// <summary>
    /// The one writer of T and R frames: encrypts everything queued since its last flush straight into the
    /// pipe, appends a receipt when one is due, then flushes once, so a burst of sends costs one write call.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = _batch ??= [];
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                lock (_outbox)
                {
                    if (IsClosed || (_outbox.Count == 0 && !_receiptDue))
                    {
                        _writerActive = false;
                        return;
                    }
                    var batchBytes = 0;
                    while (batch.Count < MaxBatch && batchBytes < MaxBatchBytes && _outbox.TryDequeue(out var next))
                    {
                        batch.Add(next);
                        batchBytes += next.Json.Length;
                    }
                    _receiptDue = false;
                }
                var written = 0;
                var confirmed = 0;
                foreach (var message in batch)
                {
                    if (!message.TryTake()) continue;
                    var json = message.Json.Span;
                    var body = FrameCodec.BeginFrame(_output, PacketType.Transport, json.Length + _cipher.TransportOverhead);
                    CompleteFrame(_output, PacketType.Transport, _cipher.Encrypt(json, body));
                    message.Sequence = ++_sentSequence;
                    message.AwaitsReceipt = _receipts && message.Mode != DeliveryMode.Written;
                    if (message.AwaitsReceipt) confirmed++;
                    written++;
                }
                // Before the flush: a receipt can only cover what is tracked.
                if (confirmed > 0) TrackUnconfirmed(batch);
                WritePendingReceipt();
                await FlushAsync().ConfigureAwait(false);
                Touch();
                PeerMetrics.MessagesSent.Add(written);
                foreach (var message in batch)
                {
                    if (!message.AwaitsReceipt && message.Sequence > 0)
                        message.TrySetResult(new DeliveryReceipt(RemoteAgent, Id, message.Sequence, DeliveryMode.Written));
                }
                batch.Clear();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or Noise.NoiseException)
        {
            Close(CloseReason.SocketError);
            // The batch may be partly on the wire: its messages are lost with the connection, and say so.
            foreach (var message in batch)
            {
                if (message.TryTake() || !message.Task.IsCompleted)
                    message.Fail(DeliveryFailure.ConnectionLost, "the connection failed while the message was written.");
            }
            batch.Clear();
            lock (_outbox) _writerActive = false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The batch's written Confirmed messages, under one lock (the read loop takes it for every receipt).</summary>
    private void TrackUnconfirmed(List<OutgoingMessage> batch)
    {
        bool started;
        lock (_unconfirmed)
        {
            started = _unconfirmed.Count == 0;
            foreach (var message in batch)
            {
                if (message.Sequence == 0 || !message.AwaitsReceipt) continue;
                if (IsClosed) message.Fail(DeliveryFailure.ConnectionLost, "the connection closed while the message was written.");
                else _unconfirmed.Enqueue((message.Sequence, message));
            }
            started &= _unconfirmed.Count > 0;
            if (started) _receiptProgress = _node.Time.GetTimestamp();
        }
        if (started) Reschedule();
    }

    private bool TrackUnconfirmed(long sequence, OutgoingMessage message)
    {
        bool started;
        lock (_unconfirmed)
        {
            if (IsClosed)
            {
                message.Fail(DeliveryFailure.ConnectionLost, "the connection closed while the message was written.");
                return false;
            }
            started = _unconfirmed.Count == 0;
            _unconfirmed.Enqueue((sequence, message));
            if (started) _receiptProgress = _node.Time.GetTimestamp();
        }
        if (started) Reschedule();
        return true;
    }

    private void StartReading()
    {
        if (Interlocked.Exchange(ref _reading, 1) == 0) _ = ReadLoopAsync();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!IsClosed)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var keepReading = true;
                while (keepReading)
                {
                    switch (FrameCodec.TryReadFrame(ref buffer, out var frame, Options.EffectiveMaxFrameLength))
                    {
                        case FrameReadStatus.NeedMoreData:
                            keepReading = false;
                            break;
                        case FrameReadStatus.TooLarge:
                            Close(CloseReason.OversizedFrame);
                            return;
                        case FrameReadStatus.Empty:
                            Close(CloseReason.MalformedPacket);
                            return;
                        case FrameReadStatus.UnknownType when Options.Mode != PeerMode.Strict:
                            // The JavaScript peer ignores types it does not know; so do its compatible modes.
                            if (!FrameCodec.TrySkipFrame(ref buffer, Options.EffectiveMaxFrameLength)) keepReading = false;
                            break;
                        case FrameReadStatus.UnknownType:
                            Close(CloseReason.PacketNotAllowed);
                            return;
                        default:
                            Touch();
                            PeerMetrics.BytesReceived.Add(frame.Body.Length + 5);
                            Options.PacketObserver?.Invoke(new PacketTrace(Id, false, frame.Type, (int)frame.Body.Length + 1));
                            if (!Accepts(frame.Type))
                            {
                                Close(CloseReason.PacketNotAllowed);
                                return;
                            }
                            // The hot path: traffic in the open state does not fire the machine.
                            var handled = IsOpen
                                ? HandleTraffic(frame.Type, frame.Body)
                                : await HandleLifecycleAsync(frame.Type, frame.Body).ConfigureAwait(false);
                            if (!handled) return;
                            if (_undelivered is not null) await DeliverWaitingAsync().ConfigureAwait(false);
                            break;
                    }
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(CloseReason.RemoteClosed);
                    return;
                }
                if (_receivedCount != Volatile.Read(ref _receiptSentCount)) SendReceiptSoon();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // ChannelClosedException (an InvalidOperationException): the node stopped while a message waited for room.
            Close(_node.IsStopping ? CloseReason.LocalClosed : IsReset(e) ? CloseReason.RemoteClosed : CloseReason.SocketError);
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
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

    /// <summary>The hot path: T and R in the open (or confirming) phase, no state machine, one allocation per message (its bytes).</summary>
    private bool HandleTraffic(PacketType type, ReadOnlySequence<byte> body)
    {
        var overhead = _cipher.TransportOverhead;
        if (body.Length < overhead)
        {
            Close(CloseReason.BadMac);
            return false;
        }
        if (type == PacketType.Receipt)
        {
            if (body.Length != ReceiptBodyLength + overhead)
            {
                Close(CloseReason.MalformedPacket);
                return false;
            }
            Span<byte> count = stackalloc byte[ReceiptBodyLength];
            if (!Decrypt(body, count))
            {
                Close(CloseReason.BadMac);
                return false;
            }
            return Acknowledge(BinaryPrimitives.ReadInt64BigEndian(count));
        }
        var plaintext = new byte[body.Length - overhead];
        if (!Decrypt(body, plaintext))
        {
            Close(CloseReason.BadMac);
            return false;
        }
        Deliver(plaintext);
        return true;
    }

    private bool Decrypt(ReadOnlySequence<byte> body, Span<byte> destination)
    {
        if (body.IsSingleSegment) return _cipher.TryDecrypt(body.FirstSpan, destination, out _);
        var length = (int)body.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(rented);
            return _cipher.TryDecrypt(rented.AsSpan(0, length), destination, out _);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Deliver(byte[] json)
    {
        _receivedCount++;
        var message = new PeerMessage(RemoteAgent, Id, json);
        if (_undelivered is null && _node.TryDeliver(message)) return;
        // The application's queue is full: the read loop waits for room before reading on (TCP pushes back).
        (_undelivered ??= []).Add(message);
    }

    private async ValueTask DeliverWaitingAsync()
    {
        var waiting = _undelivered!;
        _undelivered = null;
        foreach (var message in waiting) await _node.DeliverAsync(message).ConfigureAwait(false);
    }

    /// <summary>Completes every written message the receipt's cumulative count covers.</summary>
    private bool Acknowledge(long count)
    {
        (long Sequence, OutgoingMessage Message)[] covered;
        var length = 0;
        lock (_unconfirmed)
        {
            if (count < 0 || count > _sentSequence)
            {
                // A count of messages we never sent: the peer is broken or lying.
                CloseLocked(CloseReason.MalformedPacket);
                return false;
            }
            if (_unconfirmed.Count == 0) return true;
            // Pooled, not a field: an idle connection keeps no list sized by its last burst.
            covered = ArrayPool<(long, OutgoingMessage)>.Shared.Rent(_unconfirmed.Count);
            while (_unconfirmed.TryPeek(out var head) && head.Sequence <= count)
                covered[length++] = _unconfirmed.Dequeue();
            if (length > 0) _receiptProgress = _node.Time.GetTimestamp();
        }
        // Completed outside the lock, which the write loop takes for every batch.
        for (var i = 0; i < length; i++)
            covered[i].Message.TrySetResult(new DeliveryReceipt(RemoteAgent, Id, covered[i].Sequence, DeliveryMode.Confirmed));
        ArrayPool<(long, OutgoingMessage)>.Shared.Return(covered, clearArray: true);
        return true;
    }

    private void CloseLocked(CloseReason reason) => ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.Close(s.reason), (this, reason), preferLocal: false);

    /// <summary>Asks the write loop for a receipt, so the read loop never waits for the write lock (both sides' read loops must keep reading).</summary>
    private void SendReceiptSoon()
    {
        if (!_receipts) return;
        lock (_outbox)
        {
            if (IsClosed) return;
            _receiptDue = true;
            if (_writerActive) return;
            _writerActive = true;
        }
        // Off the read loop: it reads on while the receipt is written, and the receipt covers what it read meanwhile.
        StartWriter();
    }

    /// <summary>Under the write lock: appends an R frame when messages arrived since the last one. True when it wrote one.</summary>
    private bool WritePendingReceipt(bool force = false)
    {
        if (!_receipts) return false;
        var count = Volatile.Read(ref _receivedCount);
        if (!force && count == _receiptSentCount) return false;
        Span<byte> plain = stackalloc byte[ReceiptBodyLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, count);
        var body = FrameCodec.BeginFrame(_output, PacketType.Receipt, ReceiptBodyLength + _cipher.TransportOverhead);
        CompleteFrame(_output, PacketType.Receipt, _cipher.Encrypt(plain, body));
        Volatile.Write(ref _receiptSentCount, count);
        return true;
    }

    private void CompleteFrame(PipeWriter output, PacketType type, int bodyLength)
    {
        FrameCodec.CompleteFrame(output, bodyLength);
        PeerMetrics.BytesSent.Add(bodyLength + 5);
        Options.PacketObserver?.Invoke(new PacketTrace(Id, true, type, bodyLength + 1));
    }

    /// <summary>
    /// Flushes what was written. A peer that stops reading makes the flush wait; past the write stall timeout
    /// the connection closes (WriteStalled) and the caller sees an IOException, so the outgoing pipe never
    /// holds more than one batch. The common case (the socket takes the bytes at once) costs nothing extra.
    /// </summary>
    private async ValueTask FlushAsync()
    {
        var flush = _output.FlushAsync();
        if (flush.IsCompleted)
        {
            ThrowIfCanceled(flush.Result);
            return;
        }
        _flushing = true;
        try
        {
            var result = Options.Limits.WriteStallTimeout == Timeout.InfiniteTimeSpan
                ? await flush.ConfigureAwait(false)
                : await FlushWithinStallTimeoutAsync(flush.AsTask()).ConfigureAwait(false);
            ThrowIfCanceled(result);
        }
        finally
        {
            _flushing = false;
        }
    }

    // A flush canceled by Close wrote nothing for sure: what it carried must not count as written.
    private void ThrowIfCanceled(FlushResult result)
    {
        if (result.IsCanceled) throw new IOException($"Connection {Id} closed while a write waited for the peer to read.");
    }

    private async ValueTask<FlushResult> FlushWithinStallTimeoutAsync(Task<FlushResult> flush)
    {
        try
        {
            return await flush.WaitAsync(Options.Limits.WriteStallTimeout, _node.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Close(CloseReason.WriteStalled);
            // Canceling the pending write ends it; observe it so a fault is not reported as unobserved.
            _output.CancelPendingFlush();
            _ = flush.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new IOException($"Connection {Id}: the peer read nothing for {Options.Limits.WriteStallTimeout}; the write was abandoned.");
        }
    }
}
