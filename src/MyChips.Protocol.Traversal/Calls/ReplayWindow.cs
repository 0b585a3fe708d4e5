namespace MyChips.Protocol.Traversal.Calls;

/// <summary>
/// A sliding window over datagram counters (as in IPsec and WireGuard): a counter is new if it is above the
/// highest seen, or within the window below it and not yet seen. Reordering inside the window is accepted;
/// a replay, or a datagram older than the window, is not. Memory is fixed: one bit per counter in the window.
/// </summary>
public sealed class ReplayWindow
{
    /// <summary>The default width: 1024 counters.</summary>
    public const int DefaultSize = 1024;

    private readonly ulong[] _bits;
    private readonly int _size;
    private ulong _highest;
    private bool _any;

    public ReplayWindow(int size = DefaultSize)
    {
        if (size < 64 || size % 64 != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The window is a positive multiple of 64 counters.");
        _size = size;
        _bits = new ulong[size / 64];
    }

    /// <summary>The window's width in counters.</summary>
    public int Size => _size;

    /// <summary>Whether <paramref name="counter"/> would be accepted; changes nothing (check before decrypting).</summary>
    public ReplayVerdict Check(ulong counter)
    {
        if (!_any || counter > _highest) return ReplayVerdict.New;
        if (_highest - counter >= (ulong)_size) return ReplayVerdict.TooOld;
        return IsSet(counter) ? ReplayVerdict.Replayed : ReplayVerdict.New;
    }

    /// <summary>Records <paramref name="counter"/> as seen (after its datagram authenticated); returns false if it was not new.</summary>
    public bool Accept(ulong counter)
    {
        if (Check(counter) != ReplayVerdict.New) return false;
        if (!_any || counter > _highest)
        {
            var advance = _any ? counter - _highest : ulong.MaxValue;
            if (advance >= (ulong)_size) Array.Clear(_bits);
            else for (var c = _highest + 1; c < counter; c++) Clear(c); // counters skipped over are not seen yet
            _highest = counter;
            _any = true;
        }
        Set(counter);
        return true;
    }

    private bool IsSet(ulong counter) => (_bits[Word(counter)] & Bit(counter)) != 0;

    private void Set(ulong counter) => _bits[Word(counter)] |= Bit(counter);

    private void Clear(ulong counter) => _bits[Word(counter)] &= ~Bit(counter);

    private int Word(ulong counter) => (int)(counter % (ulong)_size / 64);

    private static ulong Bit(ulong counter) => 1UL << (int)(counter % 64);
}

/// <summary>What a replay window says about a counter.</summary>
public enum ReplayVerdict
{
    /// <summary>Not seen, and inside or above the window.</summary>
    New,
    /// <summary>Seen before.</summary>
    Replayed,
    /// <summary>Below the window: it can no longer be told apart from a replay.</summary>
    TooOld,
}
