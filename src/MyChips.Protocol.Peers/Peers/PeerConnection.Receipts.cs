using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>The receipt deadline: messages written on an open connection wait no longer than the receipt timeout for their R.</summary>
internal sealed partial class PeerConnection
{
    private ITimer? _receiptTimer;

    private bool AwaitsReceipts => _receipts && Options.Limits.ReceiptTimeout != Timeout.InfiniteTimeSpan;

    /// <summary>Arms the timer for the oldest message waiting, once the connection is open.</summary>
    private void ScheduleReceiptCheck()
    {
        if (!_open || !AwaitsReceipts) return;
        var left = _ledger.WaitLeft(Options.Limits.ReceiptTimeout);
        if (left == Timeout.InfiniteTimeSpan) return;
        var due = TimeSpan.FromTicks(Math.Max(left.Ticks, 1));
        lock (_outbox)
        {
            if (Volatile.Read(ref _closed) != 0) return;
            if (_receiptTimer is null) _receiptTimer = _node.Time.CreateTimer(static state => ((PeerConnection)state!).OnReceiptTimer(), this, due, Timeout.InfiniteTimeSpan);
            else _receiptTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnReceiptTimer()
    {
        if (IsClosed) return;
        var left = _ledger.WaitLeft(Options.Limits.ReceiptTimeout);
        if (left == TimeSpan.Zero)
            _ = Engine.RunAsync(static () => new ValueTask<ActionOutcome>(Refused(CloseReason.ReceiptTimeout)));
        else
            ScheduleReceiptCheck();
    }
}
