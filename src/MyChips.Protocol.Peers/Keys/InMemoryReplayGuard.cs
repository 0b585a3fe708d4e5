using System.Buffers.Binary;

namespace MyChips.Protocol.Keys;

/// <summary>
/// The node's default replay guard: the last <see cref="Capacity"/> accepted ephemeral keys, in memory (about
/// 80 bytes each). A replay of a handshake older than that, or from before a restart, is not recognised; a site
/// that needs that uses the PostgreSQL guard, which keeps them in its database.
/// </summary>
public sealed class InMemoryReplayGuard(int capacity = InMemoryReplayGuard.DefaultCapacity) : IReplayGuard
{
    public const int DefaultCapacity = 100_000;

    private readonly HashSet<Key32> _seen = new(Math.Min(capacity, 4096));
    private readonly Queue<Key32> _order = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "The guard remembers at least one key.");

    public ValueTask<bool> TryAcceptAsync(ReadOnlyMemory<byte> ephemeralKey, CancellationToken cancellationToken = default)
    {
        var key = Key32.From(ephemeralKey.Span);
        lock (_seen)
        {
            if (!_seen.Add(key)) return ValueTask.FromResult(false);
            _order.Enqueue(key);
            if (_order.Count > Capacity) _seen.Remove(_order.Dequeue());
        }
        return ValueTask.FromResult(true);
    }

    /// <summary>32 bytes as a value: no array per remembered key.</summary>
    private readonly record struct Key32(ulong A, ulong B, ulong C, ulong D)
    {
        public static Key32 From(ReadOnlySpan<byte> key)
        {
            if (key.Length != 32) throw new ArgumentException("An X25519 ephemeral key is 32 bytes.", nameof(key));
            return new(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(key[16..]), BinaryPrimitives.ReadUInt64LittleEndian(key[24..]));
        }
    }
}
