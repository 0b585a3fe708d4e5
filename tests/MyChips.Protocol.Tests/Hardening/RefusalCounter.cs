using System.Diagnostics.Metrics;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Hardening;

/// <summary>Counts the node's refused and closed connections by reason tag (process-wide meters: counts are at least what one test caused).</summary>
internal sealed class RefusalCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counts = [];

    public RefusalCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "MyChips.Protocol.Peers" && instrument.Name is "mychips.peer.connections.refused" or "mychips.peer.connections.closed")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key != "reason") continue;
                lock (_counts)
                {
                    var key = instrument.Name + "/" + tag.Value;
                    _counts[key] = _counts.GetValueOrDefault(key) + value;
                }
            }
        });
        _listener.Start();
    }

    public long Refused(CloseReason reason) => Get("mychips.peer.connections.refused/" + reason.ToTag());

    public long Closed(CloseReason reason) => Get("mychips.peer.connections.closed/" + reason.ToTag());

    private long Get(string key)
    {
        lock (_counts) return _counts.GetValueOrDefault(key);
    }

    public void Dispose() => _listener.Dispose();
}
