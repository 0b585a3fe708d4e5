using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>A connection's lifetime: the handshake, idle and receipt timers, and closing (FIN, then the socket released).</summary>
internal sealed partial class PeerConnection
{
    internal void Touch() => Volatile.Write(ref _lastActivity, _node.Time.GetTimestamp());

    private void OnTimer()
    {
        if (IsClosed) return;
        if (!IsOpen)
        {
            Close(CloseReason.HandshakeTimeout);
            return;
        }
        if (IsDue(ReceiptWaitLeft())) Close(CloseReason.ReceiptTimeout);
        else if (IsDue(IdleLeft())) Close(CloseReason.IdleTimeout);
        else Reschedule();
    }

    /// <summary>Once open, the timer serves the responder's idle close and the receipt deadline, whichever is due first.</summary>
    private void Reschedule()
    {
        if (!IsOpen) return; // the handshake deadline stays as it is
        var due = Earliest(ReceiptWaitLeft(), IdleLeft());
        try
        {
            _timer?.Change(due == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(due.Ticks, 1)), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: nothing is due any more.
        }
    }

    // Timeout.InfiniteTimeSpan is -1 ms: it means "never", not "already past".
    private static bool IsDue(TimeSpan left) => left != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero;

    // Never negative, so a time already past cannot be mistaken for the -1 ms of "never".
    private TimeSpan Left(TimeSpan timeout, long since)
    {
        var left = timeout - _node.Time.GetElapsedTime(since);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static TimeSpan Earliest(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;

    private bool IdleCloses => Direction == ConnectionDirection.Inbound && Options.IdleTimeout != Timeout.InfiniteTimeSpan;

    private bool AwaitsReceipts => _receipts && Options.Limits.ReceiptTimeout != Timeout.InfiniteTimeSpan;

    private TimeSpan IdleLeft() =>
        IdleCloses ? Left(Options.IdleTimeout, Volatile.Read(ref _lastActivity)) : Timeout.InfiniteTimeSpan;

    private TimeSpan ReceiptWaitLeft() =>
        AwaitsReceipts ? _ledger.WaitLeft(Options.Limits.ReceiptTimeout) : Timeout.InfiniteTimeSpan;

    /// <summary>Adds the delivery of every message this connection holds, queued or awaiting its receipt.</summary>
    public void CollectPending(List<Task> into)
    {
        lock (_outbox)
        {
            foreach (var message in _outbox) into.Add(message.Task);
        }
        var waiting = new List<OutgoingMessage>();
        _ledger.CopyTo(waiting);
        foreach (var message in waiting) into.Add(message.Task);
        _session.CollectPending(into);
    }

    /// <summary>Closes silently (no packet is sent), records the reason, and fails what was not delivered. Idempotent.</summary>
    public void Close(CloseReason reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseReason = reason;
        var wasOpen = IsOpen;
        _timer?.Dispose();
        // The read loop ends and closes the socket in order (OrderlyClose); a write stuck on a peer that does not
        // read is canceled so the loop is not kept waiting for the write lock.
        if (_flushing) _output.CancelPendingFlush();
        _input.CancelPendingRead();
        // Closed before it ever read: no read loop will end the socket, so end it here.
        if (Interlocked.Exchange(ref _reading, 1) == 0) _ = EndAsync();
        var failure = _node.IsStopping ? DeliveryFailure.NodeStopped
            : reason == CloseReason.HandshakeTimeout ? DeliveryFailure.HandshakeTimeout
            : wasOpen ? DeliveryFailure.ConnectionLost
            : DeliveryFailure.HandshakeFailed;
        OutgoingMessage[] unwritten;
        lock (_outbox)
        {
            unwritten = _outbox.ToArray();
            _outbox.Clear();
        }
        _ledger.Close((this, failure, reason), static (s, _, message) =>
            message.Fail(s.failure, $"connection {s.Item1.Id} closed ({s.reason.ToTag()}) before the message was acknowledged."));
        _session.OnClosed(failure, reason, wasOpen);
        _node.OnClosed(this, wasOpen);
        // Never written: another connection may carry them (this one is out of the channel now).
        foreach (var message in unwritten) _node.Resend(message);
    }

    // After the read loop ended: returns the writer's pooled buffers and zeroes keys once no writer holds the lock,
    // then ends the TCP connection with a FIN.
    private async Task ReleaseAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // Every write was flushed under the lock; anything left is a canceled stalled write, dropped unsent.
            await _output.CompleteAsync(new IOException("The connection is closed.")).ConfigureAwait(false);
            _noise.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
        var finSent = OrderlyClose.SendFin(_socket);
        _finSent.TrySetResult();
        await OrderlyClose.DrainAndReleaseAsync(_socket, finSent && CloseReason.DrainsOnClose(),
            Options.Limits.CloseDrainTimeout, Options.Limits.CloseDrainBytes, _node.Time).ConfigureAwait(false);
    }
}
