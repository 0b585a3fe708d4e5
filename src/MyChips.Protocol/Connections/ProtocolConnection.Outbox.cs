using System.Buffers;

namespace MyChips.Protocol.Connections;

/// <summary>
/// Sealed frames waiting for the write loop, which runs only while there is something to write: an idle connection
/// holds no queue storage beyond what its last burst needed, no loop and no waiter. Bounded by
/// <see cref="ConnectionOptions.SendQueueCapacity"/>; a send that finds it full waits for room, which the loop makes
/// or the close (at the latest once its flush stalls) ends.
/// </summary>
public sealed partial class ProtocolConnection
{
    private readonly Lock _outboxGate = new();
    private Queue<OutgoingFrame>? _outbox;
    private TaskCompletionSource? _room;  // a send waiting for room in a full queue
    private bool _writing;                // a write loop runs (or is about to)
    private bool _outboxClosed;           // the connection is closing: nothing more is queued
    private Task _writeLoop = Task.CompletedTask;

    /// <summary>Queues a sealed frame and makes sure the write loop runs; waits for room while the queue is full.</summary>
    private async ValueTask EnqueueAsync(OutgoingFrame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_outboxGate)
            {
                if (_outboxClosed) throw new InvalidOperationException($"The connection is closed ({CloseReason}).");
                var queue = _outbox ??= new Queue<OutgoingFrame>();
                if (queue.Count < _options.SendQueueCapacity)
                {
                    queue.Enqueue(frame);
                    StartWritingLocked();
                    return;
                }
                room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            // The write loop is draining the queue. A peer that reads nothing cannot hold this wait for long: the loop's
            // flush gives up after the write stall timeout, and the close wakes every waiting send. (A timer here would
            // also fire on a machine too busy to run the loop, closing a connection whose peer reads fine.)
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Under the gate: starts the write loop unless one runs or the connection is closing.</summary>
    private void StartWritingLocked()
    {
        if (_writing || _outboxClosed) return;
        _writing = true;
        // On a pool thread, never inline: a sender issuing packets back to back keeps queuing while the loop seals and
        // flushes, so a burst leaves in a few large writes.
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>The next queued frame, if any; wakes a send waiting for room.</summary>
    private bool TryDequeue(out OutgoingFrame frame)
    {
        lock (_outboxGate)
        {
            frame = default;
            if (_outbox is null || !_outbox.TryDequeue(out frame)) return false;
            if (_room is { } room)
            {
                _room = null;
                room.TrySetResult();
            }
            return true;
        }
    }

    /// <summary>Whether the loop has more to do; when not, it stops (and a later send starts another).</summary>
    private bool HasWriteWork()
    {
        lock (_outboxGate)
        {
            if (_outbox is { Count: > 0 } || Volatile.Read(ref _writeRequested) != 0 && !_outboxClosed) return true;
            _writing = false;
            return false;
        }
    }

    /// <summary>Closing: nothing more is queued; a send waiting for room gives up.</summary>
    private void CloseOutbox()
    {
        lock (_outboxGate)
        {
            _outboxClosed = true;
            _room?.TrySetResult();
            _room = null;
        }
    }

    /// <summary>The write loop of the moment, to wait for at close.</summary>
    private Task CurrentWriteLoop
    {
        get
        {
            lock (_outboxGate) return _writeLoop;
        }
    }

    /// <summary>After the last write loop: frames never written give their pooled buffers back.</summary>
    private void DropUnsent()
    {
        lock (_outboxGate)
        {
            while (_outbox is not null && _outbox.TryDequeue(out var unsent)) ArrayPool<byte>.Shared.Return(unsent.Bytes);
        }
    }
}
