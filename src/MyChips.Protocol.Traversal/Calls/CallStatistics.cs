namespace MyChips.Protocol.Traversal.Calls;

/// <summary>Counts of one call's datagrams; safe to read while the call runs.</summary>
public sealed class CallStatistics
{
    private long _sent;
    private long _accepted;
    private long _replayed;
    private long _tooOld;
    private long _forged;
    private long _malformed;
    private long _overflow;

    public long Sent => Interlocked.Read(ref _sent);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Replayed => Interlocked.Read(ref _replayed);

    public long TooOld => Interlocked.Read(ref _tooOld);

    public long Forged => Interlocked.Read(ref _forged);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Accepted datagrams dropped because the reader fell behind.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    internal void CountSent() => Interlocked.Increment(ref _sent);

    internal void CountOverflow() => Interlocked.Increment(ref _overflow);

    internal void Count(MediaVerdict verdict)
    {
        switch (verdict)
        {
            case MediaVerdict.Accepted: Interlocked.Increment(ref _accepted); break;
            case MediaVerdict.Replayed: Interlocked.Increment(ref _replayed); break;
            case MediaVerdict.TooOld: Interlocked.Increment(ref _tooOld); break;
            case MediaVerdict.Forged: Interlocked.Increment(ref _forged); break;
            default: Interlocked.Increment(ref _malformed); break;
        }
    }

    public override string ToString() =>
        $"sent {Sent}, accepted {Accepted}, replayed {Replayed}, too old {TooOld}, forged {Forged}, malformed {Malformed}, overflow {Overflow}";
}
