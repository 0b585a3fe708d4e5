using System.Buffers;

namespace MyChips.Protocol.Connections.Delivery;

/// <summary>
/// A connection's written messages that wait for the peer's cumulative acknowledgement (a receipt: "I have
/// received n messages"). Messages are numbered in write order; a count acknowledges every tracked message up to
/// it; what still waits when the connection ends is drained for the caller to fail. Also times the wait: the
/// oldest unacknowledged progress, for a receipt deadline. Thread-safe: the writer tracks, the reader acknowledges.
/// </summary>
/// <typeparam name="T">What the caller completes per message (its pending delivery).</typeparam>
public sealed class DeliveryLedger<T>
{
    private readonly Queue<(long Sequence, T Item)> _waiting = new();
    private readonly TimeProvider _time;
    private long _written;
    private long _progressAt; // when messages began to wait, or the last acknowledgement that completed some
    private bool _closed;

    public DeliveryLedger(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>How many messages were numbered (written) so far.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>How many messages wait for an acknowledgement.</summary>
    public int Waiting
    {
        get { lock (_waiting) return _waiting.Count; }
    }

    /// <summary>The next message's number, as it is written (the writer's only).</summary>
    public long Number() => Interlocked.Increment(ref _written);

    /// <summary>
    /// Tracks a written message until a count covers it. False when the ledger is closed (the caller fails the
    /// message itself). <paramref name="started"/> is true when nothing waited before: the deadline starts now.
    /// </summary>
    public bool TryTrack(long sequence, T item, out bool started)
    {
        lock (_waiting)
        {
            started = false;
            if (_closed) return false;
            if (_waiting.Count == 0)
            {
                started = true;
                _progressAt = _time.GetTimestamp();
            }
            _waiting.Enqueue((sequence, item));
            return true;
        }
    }

    /// <summary>
    /// The peer has received <paramref name="count"/> messages: completes every tracked message up to it, outside the
    /// lock. False for a count of messages never written (a broken or lying peer), which completes nothing.
    /// </summary>
    public bool TryAcknowledge<TState>(long count, TState state, Action<TState, long, T> complete)
    {
        ArgumentNullException.ThrowIfNull(complete);
        (long, T)[] covered;
        var length = 0;
        lock (_waiting)
        {
            if (count < 0 || count > Written) return false;
            if (_waiting.Count == 0) return true;
            // Pooled, not a field: an idle connection keeps no array sized by its last burst.
            covered = ArrayPool<(long, T)>.Shared.Rent(_waiting.Count);
            while (_waiting.TryPeek(out var head) && head.Sequence <= count) covered[length++] = _waiting.Dequeue();
            if (length > 0) _progressAt = _time.GetTimestamp();
        }
        try
        {
            for (var i = 0; i < length; i++) complete(state, covered[i].Item1, covered[i].Item2);
        }
        finally
        {
            ArrayPool<(long, T)>.Shared.Return(covered, clearArray: true);
        }
        return true;
    }

    /// <summary>How long until the oldest wait exceeds <paramref name="timeout"/>: never negative; infinite when nothing waits.</summary>
    public TimeSpan WaitLeft(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return Timeout.InfiniteTimeSpan;
        lock (_waiting)
        {
            if (_waiting.Count == 0) return Timeout.InfiniteTimeSpan;
            var left = timeout - _time.GetElapsedTime(_progressAt);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Stops waiting for what is tracked, completing nothing (the peer turned out not to send receipts).</summary>
    public void Forget()
    {
        lock (_waiting) _waiting.Clear();
    }

    /// <summary>Adds every waiting item to <paramref name="into"/>.</summary>
    public void CopyTo(List<T> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_waiting)
        {
            foreach (var (_, item) in _waiting) into.Add(item);
        }
    }

    /// <summary>Closes the ledger and hands every message still waiting to <paramref name="fail"/>, outside the lock. Later tracking is refused.</summary>
    public void Close<TState>(TState state, Action<TState, long, T> fail)
    {
        ArgumentNullException.ThrowIfNull(fail);
        (long Sequence, T Item)[] left;
        lock (_waiting)
        {
            _closed = true;
            left = _waiting.ToArray();
            _waiting.Clear();
        }
        foreach (var (sequence, item) in left) fail(state, sequence, item);
    }
}
