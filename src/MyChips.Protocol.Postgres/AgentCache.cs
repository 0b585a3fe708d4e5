using System.Collections.Concurrent;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Agent records that are known to be fresh. A record read from the database is kept only if no
/// change notice arrived and the listener did not drop while it was being read: each notice or
/// listener change moves the generation on, and a read taken under an older generation is not stored.
/// </summary>
internal sealed class AgentCache(int capacity)
{
    private readonly ConcurrentDictionary<AgentId, AgentRecord> _records = new();
    private readonly Lock _gate = new();
    private long _generation;
    private bool _fresh;

    /// <summary>True while change notices are being received, so cached records can be trusted.</summary>
    public bool IsFresh => Volatile.Read(ref _fresh);

    public int Count => _records.Count;

    public bool TryGet(AgentId agent, out AgentRecord? record)
    {
        record = null;
        return IsFresh && _records.TryGetValue(agent, out record);
    }

    /// <summary>Taken before reading from the database; hand it back to <see cref="Store"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public void Store(AgentRecord record, long readUnderGeneration)
    {
        lock (_gate)
        {
            if (!_fresh || _generation != readUnderGeneration) return;
            if (_records.Count >= capacity && !_records.ContainsKey(record.Agent)) return;
            _records[record.Agent] = record;
        }
    }

    public void Invalidate(AgentId agent)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _records.TryRemove(agent, out _);
        }
    }

    /// <summary>Forgets everything; <paramref name="fresh"/> says whether notices are flowing from now on.</summary>
    public void Reset(bool fresh)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _fresh = fresh;
            _records.Clear();
        }
    }
}
