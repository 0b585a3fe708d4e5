using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Relay;

/// <summary>
/// A relaying node's books: who holds a reservation until when, which circuits are open between whom, and what
/// each has carried. Every limit is checked when it matters (a reservation, a dial, each chunk), so nothing needs a
/// timer and nothing outlives its limit by more than one packet.
/// </summary>
internal sealed class RelayDesk(RelayLimits limits, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeId, (IOverlayLink Link, DateTimeOffset Expires)> _reservations = [];
    private readonly Dictionary<uint, RelayCircuit> _circuits = [];
    private uint _lastCircuit;

    public int Reservations
    {
        get
        {
            lock (_gate) return _reservations.Count;
        }
    }

    public int Circuits
    {
        get
        {
            lock (_gate) return _circuits.Count;
        }
    }

    /// <summary>Whether a link carries a reservation or a circuit: closing it would break a promise.</summary>
    public bool Uses(IOverlayLink link)
    {
        lock (_gate)
        {
            return _reservations.Values.Any(r => ReferenceEquals(r.Link, link))
                || _circuits.Values.Any(c => ReferenceEquals(c.Source, link) || ReferenceEquals(c.Target, link));
        }
    }

    /// <summary>The links of reserved nodes whose ids start with the first <paramref name="bits"/> bits of <paramref name="region"/>.</summary>
    public IReadOnlyList<IOverlayLink> ReservedIn(NodeId region, int bits)
    {
        var now = time.GetUtcNow();
        lock (_gate)
            return _reservations.Where(r => r.Value.Expires > now && r.Value.Link.IsOpen && r.Key.HasPrefix(region, bits)).Select(r => r.Value.Link).ToArray();
    }

    public RelayReservation Reserve(IOverlayLink from)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            foreach (var expired in _reservations.Where(r => r.Value.Expires <= now || !r.Value.Link.IsOpen).Select(r => r.Key).ToArray())
                _reservations.Remove(expired);
            if (!_reservations.ContainsKey(from.Peer.Id) && _reservations.Count >= limits.MaxReservations)
                return RelayReservation.Refused($"all {limits.MaxReservations} reservations are taken");
            _reservations[from.Peer.Id] = (from, now + limits.ReservationDuration); // one per peer: a second one renews it
            return new RelayReservation(true, limits.ReservationDuration, limits.CircuitBytes, null);
        }
    }

    /// <summary>A circuit from <paramref name="from"/> to the reserved holder of <paramref name="targetKey"/>, or why not.</summary>
    public (DialOutcome Outcome, RelayCircuit? Circuit) Dial(IOverlayLink from, ReadOnlyMemory<byte> targetKey)
    {
        var now = time.GetUtcNow();
        var target = NodeId.FromPublicKey(targetKey.Span);
        lock (_gate)
        {
            if (!_reservations.TryGetValue(target, out var reservation) || reservation.Expires <= now || !reservation.Link.IsOpen)
                return (DialOutcome.Refused("that node holds no reservation here"), null);
            foreach (var expired in _circuits.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToArray())
                _circuits.Remove(expired);
            if (_circuits.Count >= limits.MaxCircuits) return (DialOutcome.Refused($"all {limits.MaxCircuits} circuits are in use"), null);
            var circuit = new RelayCircuit(++_lastCircuit, from, reservation.Link, now + limits.CircuitDuration);
            _circuits[circuit.Id] = circuit;
            return (new DialOutcome(circuit.Id, null), circuit);
        }
    }

    /// <summary>Where a chunk from <paramref name="from"/> goes, or the limit it broke (the circuit is then closed).</summary>
    public (IOverlayLink? To, RelayCircuit? Broken, string? Limit) Route(IOverlayLink from, uint id, int length)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_circuits.TryGetValue(id, out var circuit)) return (null, null, null);
            var towardTarget = circuit.Source.Peer.Id == from.Peer.Id;
            if (!towardTarget && circuit.Target.Peer.Id != from.Peer.Id) return (null, null, null);
            string? limit = null;
            if (now >= circuit.Expires) limit = $"the circuit's {limits.CircuitDuration} are up";
            else if ((towardTarget ? circuit.ToTarget += length : circuit.ToSource += length) > limits.CircuitBytes)
                limit = $"the circuit's {limits.CircuitBytes} bytes are used up";
            if (limit is null) return (towardTarget ? circuit.Target : circuit.Source, null, null);
            _circuits.Remove(id);
            return (null, circuit, limit);
        }
    }

    /// <summary>Closes a circuit one of its ends hung up; the other end, to tell.</summary>
    public IOverlayLink? End(IOverlayLink from, uint id)
    {
        lock (_gate)
        {
            if (!_circuits.TryGetValue(id, out var circuit)) return null;
            if (circuit.Source.Peer.Id != from.Peer.Id && circuit.Target.Peer.Id != from.Peer.Id) return null;
            _circuits.Remove(id);
            return circuit.Source.Peer.Id == from.Peer.Id ? circuit.Target : circuit.Source;
        }
    }
}

/// <summary>An open circuit: its ends, its deadline and the bytes carried each way.</summary>
internal sealed class RelayCircuit(uint id, IOverlayLink source, IOverlayLink target, DateTimeOffset expires)
{
    public uint Id { get; } = id;

    public IOverlayLink Source { get; } = source;

    public IOverlayLink Target { get; } = target;

    public DateTimeOffset Expires { get; } = expires;

    public long ToTarget { get; set; }

    public long ToSource { get; set; }
}
