namespace MyChips.Protocol.Overlay.Messaging;

/// <summary>The ids of the last N packets seen: bounded memory, oldest forgotten first.</summary>
internal sealed class DuplicateFilter(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<UInt128> _seen = new(capacity);
    private readonly Queue<UInt128> _order = new(capacity);

    /// <summary>True the first time an id is seen.</summary>
    public bool TryAdd(ReadOnlySpan<byte> id)
    {
        var key = id.Length >= 16 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(id) : (UInt128)id.Length;
        lock (_gate)
        {
            if (!_seen.Add(key)) return false;
            _order.Enqueue(key);
            if (_order.Count > capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _seen.Count;
        }
    }
}
