using System.Collections.Concurrent;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Simulation;

/// <summary>
/// A network of overlay nodes in one process: each address is a node's handler, a link calls the other side
/// directly. Everything above the transport (routing, lookups, find-me, contacts) runs as on sockets, so large
/// networks can be simulated; nodes can be killed to model churn. Counts every packet it carries.
/// </summary>
public sealed class InMemoryOverlayNetwork
{
    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new(StringComparer.Ordinal);
    private long _packets;

    /// <summary>Packets carried so far, requests and answers alike.</summary>
    public long Packets => Interlocked.Read(ref _packets);

    /// <summary>A transport for a node at <paramref name="address"/> (unique in this network).</summary>
    public IOverlayTransport CreateTransport(string address) => new InMemoryTransport(this, address);

    /// <summary>Takes the node at <paramref name="address"/> down: its links fail and it can no longer be reached.</summary>
    public void Kill(string address)
    {
        if (_endpoints.TryGetValue(address, out var endpoint)) endpoint.Alive = false;
    }

    internal void Count(int packets = 1) => Interlocked.Add(ref _packets, packets);

    // One-way packets are queued and delivered in order by whichever send found the queue idle: a flood
    // spreads breadth-first, as it does over real links, instead of down one deep call chain.
    private readonly Queue<Func<ValueTask>> _deliveries = new();
    private bool _delivering;

    internal async ValueTask DeliverAsync(Func<ValueTask> delivery)
    {
        lock (_deliveries)
        {
            _deliveries.Enqueue(delivery);
            if (_delivering) return;
            _delivering = true;
        }
        while (true)
        {
            Func<ValueTask> next;
            lock (_deliveries)
            {
                if (!_deliveries.TryDequeue(out next!))
                {
                    _delivering = false;
                    return;
                }
            }
            await next().ConfigureAwait(false);
        }
    }

    internal void Register(Endpoint endpoint)
    {
        if (!_endpoints.TryAdd(endpoint.Address, endpoint)) throw new InvalidOperationException($"{endpoint.Address} is taken.");
    }

    internal Endpoint? Find(string address) => _endpoints.GetValueOrDefault(address);

    internal sealed class Endpoint(string address, IOverlayHandler handler)
    {
        public string Address { get; } = address;

        public IOverlayHandler Handler { get; } = handler;

        public volatile bool Alive = true;
    }

    private sealed class InMemoryTransport(InMemoryOverlayNetwork network, string address) : IOverlayTransport
    {
        private Endpoint? _self;

        public string? LocalAddress => address;

        public void Start(IOverlayHandler handler)
        {
            _self = new Endpoint(address, handler);
            network.Register(_self);
        }

        public ValueTask<IOverlayLink> ConnectAsync(string remoteAddress, ReadOnlyMemory<byte> expectedKey = default, CancellationToken cancellationToken = default)
        {
            var self = _self ?? throw new InvalidOperationException("Start the transport first.");
            if (network.Find(remoteAddress) is not { Alive: true } remote || !self.Alive)
                throw new OverlayUnreachableException($"nothing answers at {remoteAddress}");
            if (!expectedKey.IsEmpty && !remote.Handler.Self.PublicKey.Span.SequenceEqual(expectedKey.Span))
                throw new OverlayUnreachableException($"the node at {remoteAddress} holds another key");
            network.Count(3); // the three handshake messages
            var state = new LinkState();
            var outbound = new InMemoryLink(network, self, remote, state);
            var inbound = new InMemoryLink(network, remote, self, state) { Reverse = outbound };
            outbound.Reverse = inbound;
            remote.Handler.OnLinkOpened(inbound);
            return new ValueTask<IOverlayLink>(outbound);
        }

        public ValueTask DisposeAsync()
        {
            if (_self is not null) _self.Alive = false;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class LinkState
    {
        public volatile bool Closed;
    }

    private sealed class InMemoryLink(InMemoryOverlayNetwork network, Endpoint local, Endpoint remote, LinkState state) : IOverlayLink
    {
        public InMemoryLink Reverse { get; set; } = null!;

        public PeerInfo Peer { get; } = remote.Handler.Self;

        public bool IsOpen => !state.Closed && local.Alive && remote.Alive;

        public ValueTask<IReadOnlyList<PeerInfo>> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default)
        {
            Check(2);
            return new(remote.Handler.OnFindNode(Reverse, target));
        }

        public ValueTask PingAsync(CancellationToken cancellationToken = default)
        {
            Check(2);
            return ValueTask.CompletedTask;
        }

        public ValueTask SendFindMeAsync(FindMePacket packet, CancellationToken cancellationToken = default)
        {
            Check(1);
            return network.DeliverAsync(() => remote.Handler.OnFindMeAsync(Reverse, packet));
        }

        public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
        {
            Check(1);
            return remote.Handler.OnTextAsync(Reverse, text);
        }

        public ValueTask<RelayReservation> ReserveAsync(CancellationToken cancellationToken = default)
        {
            Check(2);
            return new(remote.Handler.OnReserve(Reverse));
        }

        public ValueTask<DialOutcome> DialAsync(ReadOnlyMemory<byte> targetKey, CancellationToken cancellationToken = default)
        {
            Check(2);
            return remote.Handler.OnDialAsync(Reverse, targetKey);
        }

        public ValueTask OpenCircuitAsync(uint circuit, ReadOnlyMemory<byte> sourceKey, CancellationToken cancellationToken = default)
        {
            Check(1);
            return remote.Handler.OnCircuitAsync(Reverse, circuit, sourceKey);
        }

        public ValueTask SendRelayedAsync(uint circuit, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Check(1);
            return remote.Handler.OnRelayedAsync(Reverse, circuit, data);
        }

        public ValueTask HangupAsync(uint circuit, string? reason, CancellationToken cancellationToken = default)
        {
            Check(1);
            return remote.Handler.OnHangupAsync(Reverse, circuit, reason);
        }

        public ValueTask DisposeAsync()
        {
            if (!state.Closed)
            {
                state.Closed = true;
                remote.Handler.OnLinkClosed(Reverse);
            }
            return ValueTask.CompletedTask;
        }

        private void Check(int packets)
        {
            if (!IsOpen) throw new OverlayUnreachableException($"the link to {Peer} is down");
            network.Count(packets);
        }
    }
}
