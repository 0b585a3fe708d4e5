using System.Net;

namespace MyChips.Protocol.Peers;

/// <summary>Counts hostile failures per remote IP address and blocks an address that has too many.</summary>
internal sealed class AddressBlockList(BlockListOptions options, TimeProvider time)
{
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly Lock _gate = new();

    public bool IsBlocked(IPAddress address)
    {
        if (options.FailuresToBlock <= 0) return false;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(address, out var entry)) return false;
            if (entry.BlockedUntil > now) return true;
            if (entry.BlockedUntil != default) _entries.Remove(address);
            return false;
        }
    }

    /// <summary>Records a failure; true when it made the address blocked.</summary>
    public bool RecordFailure(IPAddress address)
    {
        if (options.FailuresToBlock <= 0) return false;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(address, out var entry) || now - entry.WindowStart > options.Window)
            {
                entry = new Entry { WindowStart = now };
                _entries[address] = entry;
            }
            entry.Failures++;
            if (entry.Failures < options.FailuresToBlock || entry.BlockedUntil > now) return false;
            entry.BlockedUntil = now + options.BlockFor;
            PruneExpired(now);
            return true;
        }
    }

    // Keeps the table from growing without bound under a spray of addresses.
    private void PruneExpired(DateTimeOffset now)
    {
        if (_entries.Count < 1024) return;
        foreach (var (address, entry) in _entries.ToArray())
        {
            if (entry.BlockedUntil <= now && now - entry.WindowStart > options.Window) _entries.Remove(address);
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart;
        public int Failures;
        public DateTimeOffset BlockedUntil;
    }
}
