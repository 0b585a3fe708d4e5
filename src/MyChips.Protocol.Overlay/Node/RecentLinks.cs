using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

/// <summary>
/// The links to the most recently contacted nodes, least recently used closed first: a burst of messages to one
/// node reuses its link, and the number of open links stays bounded.
/// </summary>
internal sealed class RecentLinks(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeId, LinkedListNode<IOverlayLink>> _byId = [];
    private readonly LinkedList<IOverlayLink> _order = new();

    public int Count
    {
        get
        {
            lock (_gate) return _byId.Count;
        }
    }

    public IOverlayLink? Get(NodeId id)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var node)) return null;
            if (!node.Value.IsOpen)
            {
                Drop(node);
                return null;
            }
            _order.Remove(node);
            _order.AddLast(node);
            return node.Value;
        }
    }

    /// <summary>Keeps <paramref name="link"/>; returns the links pushed out (to close), the one it replaces included.</summary>
    public IReadOnlyList<IOverlayLink> Add(IOverlayLink link)
    {
        var evicted = new List<IOverlayLink>();
        lock (_gate)
        {
            if (_byId.TryGetValue(link.Peer.Id, out var known))
            {
                if (ReferenceEquals(known.Value, link)) return evicted;
                evicted.Add(known.Value);
                Drop(known);
            }
            _byId[link.Peer.Id] = _order.AddLast(link);
            while (_byId.Count > capacity && _order.First is { } oldest)
            {
                evicted.Add(oldest.Value);
                Drop(oldest);
            }
        }
        return evicted;
    }

    public void Remove(IOverlayLink link)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(link.Peer.Id, out var node) && ReferenceEquals(node.Value, link)) Drop(node);
        }
    }

    public IReadOnlyList<IOverlayLink> All()
    {
        lock (_gate) return _order.ToArray();
    }

    private void Drop(LinkedListNode<IOverlayLink> node)
    {
        _order.Remove(node);
        _byId.Remove(node.Value.Peer.Id);
    }
}
