using System.Net;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>Overlay nodes on real sockets, each on its own loopback address (127.0.0.2, 127.0.0.3, ...).</summary>
internal sealed class LoopbackNodes : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly List<(OverlayNode Node, TcpOverlayTransport Transport)> _nodes = [];

    public OverlayNode this[int index] => _nodes[index].Node;

    public TcpOverlayTransport TransportOf(int index) => _nodes[index].Transport;

    public int Count => _nodes.Count;

    /// <summary>A node on the next loopback address; <paramref name="listen"/> false makes one that accepts no connections.</summary>
    public OverlayNode Add(bool listen = true, OverlayOptions? options = null, TcpOverlayOptions? transportOptions = null)
    {
        var identity = OverlayIdentity.Generate();
        var address = IPAddress.Parse($"127.0.0.{_nodes.Count + 2}");
        var transport = new TcpOverlayTransport(identity, listen ? new IPEndPoint(address, 0) : null, transportOptions);
        var node = new OverlayNode(identity, transport, options ?? new OverlayOptions { Offers = PeerFlags.Reachable | PeerFlags.EntryPoint });
        node.Start();
        _nodes.Add((node, transport));
        return node;
    }

    /// <summary>A listening node whose own clock (relay limits, refresh) is <paramref name="time"/>.</summary>
    public OverlayNode AddWithClock(OverlayOptions options, TimeProvider time)
    {
        var identity = OverlayIdentity.Generate();
        var transport = new TcpOverlayTransport(identity, new IPEndPoint(IPAddress.Parse($"127.0.0.{_nodes.Count + 2}"), 0));
        var node = new OverlayNode(identity, transport, options, time: time);
        node.Start();
        _nodes.Add((node, transport));
        return node;
    }

    /// <summary><paramref name="count"/> listening nodes, every one after the first joined through the first.</summary>
    public async Task AddJoinedAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var node = Add();
            if (_nodes.Count > 1) await node.JoinAsync(this[0].Self.Address!).WaitAsync(Deadline);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (node, _) in _nodes) await node.DisposeAsync();
    }
}
