using System.IO.Pipelines;
using MyChips.Protocol.Connections;
using System.Net.Sockets;

namespace MyChips.Protocol.Peers;

/// <summary>A connection's sending side: the outbox, the write loop and its batches, tracking for receipts, bounded flushes.</summary>
internal sealed partial class PeerConnection
{
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
                var (written, confirmed) = _batches ? WriteBatches(batch) : WriteEach(batch, 0, batch.Count);
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

    /// <summary>Under the write lock: each message of batch[start..end) as its own T. Returns how many were written, and how many of those await a receipt.</summary>
    private (int Written, int Confirmed) WriteEach(List<OutgoingMessage> batch, int start, int end)
    {
        var (written, confirmed) = (0, 0);
        for (var i = start; i < end; i++)
        {
            var message = batch[i];
            if (!message.TryTake()) continue;
            var json = message.Json.Span;
            var body = FrameCodec.BeginFrame(_output, PacketType.Transport, json.Length + _noise.TransportOverhead);
            CompleteFrame(_output, PacketType.Transport, _noise.EncryptTransport(json, body));
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
        if (started) Reschedule();
    }

    /// <summary>
    /// The first message, written in K or I. When the connection closed meanwhile (a handshake timeout, say) it is
    /// left to <see cref="Close"/>, which fails it with the close's own reason, whichever of the two runs first.
    /// </summary>
    private void TrackFirstUnconfirmed(OutgoingMessage message)
    {
        if (_ledger.TryTrack(1, message, out var started) && started) Reschedule();
    }

    internal void CompleteFrame(PipeWriter output, PacketType type, int bodyLength)
    {
        FrameCodec.CompleteFrame(output, bodyLength);
        PeerMetrics.BytesSent.Add(bodyLength + 5);
        Options.PacketObserver?.Invoke(new PacketTrace(Id, true, type, bodyLength + 1));
    }

    /// <summary>
    /// Flushes what was written. A peer that stops reading makes the flush wait; past the write stall timeout
    /// the connection closes (WriteStalled) and the caller sees an IOException, so the outgoing pipe never
    /// holds more than one batch.
    /// </summary>
    internal async ValueTask FlushAsync()
    {
        _flushing = true;
        try
        {
            await BoundedFlush.FlushAsync(_output, Options.Limits.WriteStallTimeout, _node.Time,
                static connection => connection.Close(CloseReason.WriteStalled), this).ConfigureAwait(false);
        }
        finally
        {
            _flushing = false;
        }
    }
}
