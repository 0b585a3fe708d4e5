using System.Net;

namespace MyChips.Protocol.Peers;

/// <summary>
/// Counts inbound connections and pending handshakes, in total and per remote address, and refuses a new
/// connection over a <see cref="PeerLimits"/> bound. Each admitted connection holds a <see cref="Lease"/>.
/// </summary>
internal sealed class InboundAdmission(PeerLimits limits)
{
    private readonly Dictionary<IPAddress, Counts> _byAddress = [];
    private readonly Lock _gate = new();
    private int _connections;
    private int _pending;

    public int Connections
    {
        get
        {
            lock (_gate) return _connections;
        }
    }

    public int PendingHandshakes
    {
        get
        {
            lock (_gate) return _pending;
        }
    }

    /// <summary>A lease for a new connection in its handshake, or null with the bound it would break.</summary>
    public Lease? TryAdmit(IPAddress address, out CloseReason refusal)
    {
        lock (_gate)
        {
            _byAddress.TryGetValue(address, out var counts);
            refusal = _connections >= limits.MaxConnections || counts.Connections >= limits.MaxConnectionsPerAddress
                ? CloseReason.ConnectionLimit
                : _pending >= limits.MaxPendingHandshakes || counts.Pending >= limits.MaxPendingHandshakesPerAddress
                    ? CloseReason.HandshakeLimit
                    : CloseReason.None;
            if (refusal != CloseReason.None) return null;
            _connections++;
            _pending++;
            _byAddress[address] = new Counts(counts.Connections + 1, counts.Pending + 1);
            return new Lease(this, address);
        }
    }

    private void HandshakeDone(IPAddress address)
    {
        lock (_gate)
        {
            _pending--;
            var counts = _byAddress[address];
            _byAddress[address] = counts with { Pending = counts.Pending - 1 };
        }
    }

    private void Release(IPAddress address, bool pending)
    {
        lock (_gate)
        {
            _connections--;
            if (pending) _pending--;
            var counts = _byAddress[address];
            counts = new Counts(counts.Connections - 1, counts.Pending - (pending ? 1 : 0));
            // Addresses with nothing left are dropped, so a spray of addresses leaves no table behind.
            if (counts.Connections == 0) _byAddress.Remove(address);
            else _byAddress[address] = counts;
        }
    }

    private readonly record struct Counts(int Connections, int Pending);

    /// <summary>One admitted connection's share of the counts. Each step counts once, whatever calls it how often.</summary>
    internal sealed class Lease(InboundAdmission owner, IPAddress address)
    {
        private const int Pending = 0, Open = 1, Released = 2;
        private int _state;

        /// <summary>The handshake completed: the connection no longer counts as pending.</summary>
        public void Opened()
        {
            if (Interlocked.CompareExchange(ref _state, Open, Pending) == Pending) owner.HandshakeDone(address);
        }

        /// <summary>The connection closed.</summary>
        public void Release()
        {
            var before = Interlocked.Exchange(ref _state, Released);
            if (before != Released) owner.Release(address, before == Pending);
        }
    }
}
