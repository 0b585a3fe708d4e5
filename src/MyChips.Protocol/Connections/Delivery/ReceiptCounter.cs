namespace MyChips.Protocol.Connections.Delivery;

/// <summary>
/// The receiving side of cumulative acknowledgement: counts the messages received on a connection and which count
/// the last receipt sent. The reader counts; the writer takes the count to send. Thread-safe for one of each.
/// </summary>
public sealed class ReceiptCounter
{
    private long _received;
    private long _acknowledged;

    /// <summary>Messages received so far.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Messages received since the last receipt: one is due.</summary>
    public bool IsDue => Received != Volatile.Read(ref _acknowledged);

    /// <summary>Counts received messages (the reader's only).</summary>
    public void Count(int messages = 1) => Volatile.Write(ref _received, _received + messages);

    /// <summary>
    /// The count for a receipt, when one is due (or <paramref name="force"/>d: a receipt that proves the keys,
    /// say); the writer sends it and it counts as acknowledged.
    /// </summary>
    public bool TryTake(out long count, bool force = false)
    {
        count = Received;
        if (!force && count == Volatile.Read(ref _acknowledged)) return false;
        Volatile.Write(ref _acknowledged, count);
        return true;
    }
}
