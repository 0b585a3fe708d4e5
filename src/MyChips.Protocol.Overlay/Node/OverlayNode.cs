using System.Collections.Concurrent;
using System.Threading.Channels;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

/// <summary>
/// One node of the overlay: its identity and contacts, its routing table, the links it keeps, and what it does
/// with what arrives. The transport below it is the overlay protocol on sockets or an in-memory network; this
/// class is the same over both.
/// </summary>
public sealed partial class OverlayNode : IOverlayHandler, IAsyncDisposable
{
    private readonly IOverlayTransport _transport;
    private readonly OverlayOptions _options;
    private readonly TimeProvider _time;
    private readonly RecentLinks _links;
    private readonly DuplicateFilter _seenFindMe;
    private readonly Channel<OverlayMessage> _messages = Channel.CreateBounded<OverlayMessage>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ConcurrentDictionary<string, long> _drops = new(StringComparer.Ordinal);
    private int _pendingChecks;

    public OverlayNode(OverlayIdentity identity, IOverlayTransport transport, OverlayOptions? options = null, ContactBook? contacts = null, TimeProvider? time = null)
    {
        Identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _options = options ?? new OverlayOptions();
        _time = time ?? TimeProvider.System;
        Contacts = contacts ?? new ContactBook();
        Table = new RoutingTable(identity.Id, _options.BucketSize, _time);
        _links = new RecentLinks(_options.RecentLinks);
        _seenFindMe = new DuplicateFilter(_options.FindMeMemory);
    }

    public OverlayIdentity Identity { get; }

    public ContactBook Contacts { get; }

    public RoutingTable Table { get; }

    public OverlayOptions Options => _options;

    /// <summary>This node as peers learn it (one that accepts no connections offers punching at most).</summary>
    public PeerInfo Self => new(Identity.Id, Identity.PublicKey, _transport.LocalAddress, _transport.LocalAddress is null ? _options.Offers & PeerFlags.Punch : _options.Offers);

    /// <summary>Messages from contacts, oldest first (the oldest are dropped when 1,024 wait unread).</summary>
    public ChannelReader<OverlayMessage> Messages => _messages.Reader;

    /// <summary>Raised for each packet dropped, with the reason.</summary>
    public event EventHandler<OverlayDrop>? Dropped;

    /// <summary>Drops so far, by reason.</summary>
    public IReadOnlyDictionary<string, long> DropCounts => _drops;

    /// <summary>Find-me ids remembered for duplicate suppression (at most <see cref="OverlayOptions.FindMeMemory"/>).</summary>
    public int RememberedFindMes => _seenFindMe.Count;

    /// <summary>Links open to recently contacted nodes.</summary>
    public int OpenLinks => _links.Count;

    /// <summary>Starts accepting links.</summary>
    public void Start() => _transport.Start(this);

    /// <summary>
    /// Joins through one entry point: learns who it is, looks up this node's own id (which fills the nearest buckets
    /// and tells the neighbours about this node), then refreshes a few farther buckets.
    /// </summary>
    public async Task<PeerInfo> JoinAsync(string entryAddress, CancellationToken cancellationToken = default)
    {
        var link = await _transport.ConnectAsync(entryAddress, cancellationToken: cancellationToken).ConfigureAwait(false);
        OnLinkOpened(link);
        await LookupAsync(Identity.Id, cancellationToken).ConfigureAwait(false);
        var buckets = Table.Snapshot().Select(b => b.Bucket).ToArray();
        var nearest = buckets.Length == 0 ? 0 : buckets.Max();
        for (var i = 0; i < _options.JoinRefreshes && i < nearest; i++)
            await LookupAsync(Identity.Id.RandomInBucket(Random.Shared.Next(nearest)), cancellationToken).ConfigureAwait(false);
        return link.Peer;
    }

    /// <summary>The k nodes nearest to <paramref name="target"/>, by an iterative lookup.</summary>
    public async Task<LookupResult> LookupAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        var result = await IterativeLookup.RunAsync(
            Identity.Id, target, Table.Closest(target, _options.BucketSize), QueryAsync, _options.BucketSize, _options.Alpha, cancellationToken).ConfigureAwait(false);
        Table.MarkLookup(target);
        return result;
    }

    /// <summary>Looks up a random id in each bucket no lookup has touched for <see cref="OverlayOptions.RefreshInterval"/>.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var stale = Table.StaleBuckets(_options.RefreshInterval);
        foreach (var bucket in stale)
            await LookupAsync(Identity.Id.RandomInBucket(bucket), cancellationToken).ConfigureAwait(false);
        return stale.Count;
    }

    /// <summary>The open link to <paramref name="peer"/>, or a new one to its address.</summary>
    public async ValueTask<IOverlayLink> LinkToAsync(PeerInfo peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (_links.Get(peer.Id) is { } open) return open;
        if (peer.Address is null) throw new OverlayUnreachableException($"{peer.Id.ToShortString()} accepts no connections.");
        var link = await _transport.ConnectAsync(peer.Address, peer.PublicKey, cancellationToken).ConfigureAwait(false);
        Keep(link);
        return link;
    }

    private async ValueTask<IReadOnlyList<PeerInfo>?> QueryAsync(PeerInfo peer, NodeId target, CancellationToken cancellationToken)
    {
        try
        {
            var link = await LinkToAsync(peer, cancellationToken).ConfigureAwait(false);
            var peers = await link.FindNodeAsync(target, cancellationToken).ConfigureAwait(false);
            Observe(link.Peer);
            return peers;
        }
        catch (OverlayUnreachableException)
        {
            Table.Remove(peer.Id);
            return null;
        }
    }

    /// <summary>A peer was heard from: into the table, unless it accepts no connections (no use for routing).</summary>
    private void Observe(PeerInfo peer)
    {
        if (peer.Address is null || (peer.Flags & PeerFlags.Reachable) == 0) return;
        if (Table.Observe(peer, out var oldest) == ObserveResult.BucketFull && oldest is not null)
            _ = CheckOldestAsync(oldest, peer);
    }

    // A full bucket keeps its oldest entry if it still answers; a bounded number of these checks run at once.
    private async Task CheckOldestAsync(PeerInfo oldest, PeerInfo newcomer)
    {
        if (Interlocked.Increment(ref _pendingChecks) > 8)
        {
            Interlocked.Decrement(ref _pendingChecks);
            return;
        }
        try
        {
            var link = await LinkToAsync(oldest).ConfigureAwait(false);
            await link.PingAsync().ConfigureAwait(false);
            Table.Observe(oldest, out _);
        }
        catch (OverlayUnreachableException)
        {
            Table.Replace(oldest.Id, newcomer);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingChecks);
        }
    }

    private void Keep(IOverlayLink link)
    {
        foreach (var evicted in _links.Add(link))
            if (!IsPinned(evicted)) _ = evicted.DisposeAsync().AsTask();
    }

    private void Drop(string what, string reason, IOverlayLink? from)
    {
        _drops.AddOrUpdate($"{what}: {reason}", 1, (_, n) => n + 1);
        Dropped?.Invoke(this, new OverlayDrop(what, reason, from?.Peer.Id));
    }

    void IOverlayHandler.OnLinkOpened(IOverlayLink link) => OnLinkOpened(link);

    private void OnLinkOpened(IOverlayLink link)
    {
        Keep(link);
        Observe(link.Peer);
        if (_awaitingContacts.TryGetValue(link.Peer.Id, out var waiting)) waiting.TrySetResult(link);
    }

    void IOverlayHandler.OnLinkClosed(IOverlayLink link) => _links.Remove(link);

    IReadOnlyList<PeerInfo> IOverlayHandler.OnFindNode(IOverlayLink from, NodeId target)
    {
        Observe(from.Peer);
        return Table.Closest(target, _options.BucketSize);
    }

    ValueTask IOverlayHandler.OnTextAsync(IOverlayLink from, string text)
    {
        if (Contacts.FindByKey(from.Peer.PublicKey.Span) is not { } contact)
            Drop("message", "the sender is not a contact", from);
        else
            _messages.Writer.TryWrite(new OverlayMessage(contact.Name, text, _time.GetUtcNow()));
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes every link and the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links.All()) await link.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _messages.Writer.TryComplete();
    }
}
