using System.Buffers.Binary;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Connections.Delivery;

namespace MyChips.Protocol.Peers;

/// <summary>
/// A connection's sending side: the outbox, drained in the engine's write turns (everything queued since the last
/// flush, sealed straight into the outgoing pipe, so a burst of sends costs one write call), receipts, tracking.
/// </summary>
internal sealed partial class PeerConnection
{
    private const int MaxBatch = 256;
    // With the write stall timeout, this bounds what a peer that stops reading leaves in the outgoing pipe.
    private const int MaxBatchBytes = 256 * 1024;

    private readonly Queue<OutgoingMessage> _outbox = new();
    private List<OutgoingMessage>? _batch; // the write turn's messages, until its flush completed
    private int _batchWritten;
    private bool _receiptDue;  // under the outbox lock
    // Negotiated in C and A: only then are R packets sent, awaited and held for (a peer that never heard of R
    // must not see one, since each would move a transport nonce it does not move).
    private volatile bool _receipts;
    private volatile bool _batches; // negotiated too: a write batch may go as one B

    // Delivery accounting: messages written and waiting for a receipt; messages received and the count last acknowledged.
    private readonly DeliveryLedger<OutgoingMessage> _ledger;
    private readonly ReceiptCounter _received = new();

    internal bool Receipts => _receipts;

    /// <summary>What A settled: the extensions this connection uses from now on.</summary>
    internal void Negotiated(PeerCapabilities accepted)
    {
        _receipts = (accepted & PeerCapabilities.Receipts) != 0;
        _batches = (accepted & PeerCapabilities.Batches) != 0;
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
            // A connection the engine is closing writes nothing more: better another one at once than a resend later.
            if (IsClosed) return false;
            _outbox.Enqueue(message);
        }
        Engine.RequestWrite();
        return true;
    }

    /// <summary>
    /// The initiator's R right after A, which proves to the responder that this side holds the session keys: queued
    /// before the connection opens, so it goes ahead of any T, and out even if the connection is closed at once.
    /// </summary>
    internal ValueTask ProveKeysAsync()
    {
        _received.TryTake(out var count, force: true);
        var plain = new byte[ReceiptBodyLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, count);
        return Engine.SendAsync((byte)PacketType.Receipt, plain);
    }

    /// <summary>Asks the write loop for a receipt, so reading never waits for writing (both sides must keep reading).</summary>
    private void RequestReceipt()
    {
        lock (_outbox) _receiptDue = true;
        Engine.RequestWrite();
    }

    /// <summary>The engine's write turn: everything queued (as T, or B where negotiated), a due receipt.</summary>
    internal void WritePending(ConnectionWriter writer)
    {
        var batch = _batch ??= [];
        lock (_outbox)
        {
            var batchBytes = 0;
            while (batch.Count < MaxBatch && batchBytes < MaxBatchBytes && _outbox.TryDequeue(out var next))
            {
                batch.Add(next);
                batchBytes += next.Json.Length;
            }
            _receiptDue = false;
        }
        var (written, confirmed) = _batches ? WriteBatches(writer, batch) : WriteEach(writer, batch, 0, batch.Count);
        // Before the flush: a receipt can only cover what is tracked.
        if (confirmed > 0) TrackUnconfirmed(batch);
        WriteReceipt(writer);
        _batchWritten = written;
    }

    /// <summary>The write turn's flush completed: written messages that await no receipt are delivered; more turns if more is queued.</summary>
    internal void OnWritten()
    {
        var batch = _batch!;
        PeerMetrics.MessagesSent.Add(_batchWritten);
        foreach (var message in batch)
        {
            if (!message.AwaitsReceipt && message.Sequence > 0)
                message.TrySetResult(new DeliveryReceipt(RemoteAgent, Id, message.Sequence, DeliveryMode.Written));
        }
        batch.Clear();
        // Traffic either way keeps the responder's idle timeout from expiring.
        Engine.NoteActivity();
        bool more;
        lock (_outbox) more = _outbox.Count > 0 || _receiptDue;
        if (more) Engine.RequestWrite();
    }

    /// <summary>The connection ended with a write turn's flush unfinished: its messages may be partly on the wire, lost with it.</summary>
    private void FailUnflushed()
    {
        if (_batch is not { Count: > 0 } batch) return;
        foreach (var message in batch)
        {
            if (!message.Task.IsCompleted) message.Fail(DeliveryFailure.ConnectionLost, "the connection failed while the message was written.");
        }
        batch.Clear();
    }

    /// <summary>Each message of batch[start..end) as its own T. Returns how many were written, and how many of those await a receipt.</summary>
    private (int Written, int Confirmed) WriteEach(ConnectionWriter writer, List<OutgoingMessage> batch, int start, int end)
    {
        var (written, confirmed) = (0, 0);
        for (var i = start; i < end; i++)
        {
            var message = batch[i];
            if (!message.TryTake()) continue;
            writer.Write(PeerPackets.Transport, message.Json.Span);
            if (Number(message)) confirmed++;
            written++;
        }
        return (written, confirmed);
    }

    /// <summary>Gives a written message its sequence number; true when it awaits a receipt.</summary>
    private bool Number(OutgoingMessage message)
    {
        message.Sequence = _ledger.Number();
        message.AwaitsReceipt = _receipts && message.Mode != DeliveryMode.Written;
        return message.AwaitsReceipt;
    }

    /// <summary>The batch's written messages that await a receipt, tracked until one covers them.</summary>
    private void TrackUnconfirmed(List<OutgoingMessage> batch)
    {
        var started = false;
        foreach (var message in batch)
        {
            if (message.Sequence == 0 || !message.AwaitsReceipt) continue;
            if (_ledger.TryTrack(message.Sequence, message, out var first)) started |= first;
            else message.Fail(DeliveryFailure.ConnectionLost, "the connection closed while the message was written.");
        }
        if (started) ScheduleReceiptCheck();
    }

    /// <summary>The first message went out in K or I: it is message 1 of the connection.</summary>
    internal void WroteFirstMessage(OutgoingMessage first)
    {
        _ledger.Number();
        PeerMetrics.MessagesSent.Add(1);
        // Optimistic: whether the peer acknowledges is known from its A, which settles this message either way. When the
        // connection closed meanwhile, the close fails it with its own reason, whichever of the two runs first.
        if (first.Mode != DeliveryMode.Written) _ledger.TryTrack(1, first, out _);
    }

    /// <summary>A said no receipts: the first message, tracked optimistically, waits for none.</summary>
    internal void ForgetUnconfirmed() => _ledger.Forget();
}
