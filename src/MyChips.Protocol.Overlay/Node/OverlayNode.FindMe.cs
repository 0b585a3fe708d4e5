using System.Collections.Concurrent;
using System.Security.Cryptography;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

public sealed partial class OverlayNode
{
    private readonly ConcurrentDictionary<NodeId, TaskCompletionSource<IOverlayLink>> _awaitingContacts = new();

    /// <summary>
    /// Sends <paramref name="text"/> to a contact over a direct Noise channel: a link already open, else a direct
    /// connection if the contact's address is known, else a find-me packet after which the contact connects back.
    /// </summary>
    public async Task SendMessageAsync(string contactName, string text, CancellationToken cancellationToken = default)
    {
        var contact = Contacts.Find(contactName) ?? throw new ArgumentException($"No contact named '{contactName}'.", nameof(contactName));
        var link = await ReachAsync(contact, cancellationToken).ConfigureAwait(false);
        try
        {
            await link.SendTextAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (OverlayUnreachableException) when (link.Peer.Address is not null)
        {
            // The link closed under the message (pushed out of the recent links, or the peer dropped it): the
            // contact's address is known now, so one direct retry.
            link = await LinkToAsync(link.Peer, cancellationToken).ConfigureAwait(false);
            await link.SendTextAsync(text, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A direct link to a contact, opened by whichever way works first.</summary>
    public async Task<IOverlayLink> ReachAsync(Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (_links.Get(contact.Id) is { } open) return open;
        if (await PendingRelayedLinkAsync(contact.Id).ConfigureAwait(false) is { } relayed) return relayed;
        var known = Table.Closest(contact.Id, 1);
        if (known.Count == 1 && known[0].Id == contact.Id)
        {
            try
            {
                return await LinkToAsync(known[0], cancellationToken).ConfigureAwait(false);
            }
            catch (OverlayUnreachableException)
            {
                Table.Remove(contact.Id);
            }
        }
        return await FindContactAsync(contact, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Spreads a find-me sealed to <paramref name="contact"/> and waits until the contact connects back.</summary>
    public async Task<IOverlayLink> FindContactAsync(Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if ((_transport.LocalAddress ?? RelayAddress) is not { } address)
            throw new OverlayUnreachableException("This node accepts no connections and holds no relay reservation, so a contact cannot connect back.");
        var waiting = _awaitingContacts.GetOrAdd(contact.Id, _ => new TaskCompletionSource<IOverlayLink>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            var content = new FindMeContent(Identity.PublicKey, contact.TheirCard.Token, [address]);
            var bits = FindMeRegionBits();
            var packet = new FindMePacket(
                RandomNumberGenerator.GetBytes(FindMePacket.IdLength), _options.FindMeTtl, contact.Id.WithRandomSuffix(bits), bits,
                FindMeSeal.Seal(Identity.PrivateKey, contact.TheirCard.PublicKey, content));
            _seenFindMe.TryAdd(packet.Id.Span);
            await SpreadAsync(packet, from: null).ConfigureAwait(false);
            return await waiting.Task.WaitAsync(_options.FindMeTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new OverlayUnreachableException($"{contact.Name} did not connect back within {_options.FindMeTimeout}.", e);
        }
        finally
        {
            _awaitingContacts.TryRemove(new KeyValuePair<NodeId, TaskCompletionSource<IOverlayLink>>(contact.Id, waiting));
        }
    }

    /// <summary>
    /// How many leading bits of the contact's id a find-me reveals: enough that its region holds about
    /// <see cref="OverlayOptions.FindMeRegionSize"/> nodes, by this node's estimate of the network's size.
    /// </summary>
    public int FindMeRegionBits()
    {
        if (_options.FindMeRegionSize <= 0) return 0;
        var bits = (int)Math.Floor(EstimateNetworkSizeLog2() - Math.Log2(_options.FindMeRegionSize));
        return Math.Clamp(bits, 0, FindMePacket.MaxRegionBits);
    }

    /// <summary>log2 of the network's size, from how far away this node's k nearest neighbours are.</summary>
    public double EstimateNetworkSizeLog2()
    {
        var nearest = Table.Closest(Identity.Id, _options.BucketSize);
        if (nearest.Count < _options.BucketSize) return Math.Log2(nearest.Count + 1);
        return NodeId.CommonPrefixLength(Identity.Id, nearest[^1].Id) + Math.Log2(_options.BucketSize);
    }

    async ValueTask IOverlayHandler.OnFindMeAsync(IOverlayLink from, FindMePacket packet)
    {
        if (packet.Problem() is { } problem)
        {
            Drop("find-me", problem, from);
            return;
        }
        if (!_seenFindMe.TryAdd(packet.Id.Span))
        {
            Drop("find-me", "a duplicate", from);
            return;
        }
        if (Identity.Id.HasPrefix(packet.Region, packet.RegionBits) && FindMeSeal.TryOpen(Identity.PrivateKey, packet.Sealed.Span, out var content))
        {
            var contact = Contacts.Redeem(content.Token.Span);
            if (contact is null || !contact.TheirCard.PublicKey.Span.SequenceEqual(content.SenderPublicKey.Span))
                Drop("find-me", "sealed to this node, but not by a contact", from);
            else
                await ConnectBackAsync(contact, content).ConfigureAwait(false);
            return;
        }
        if (packet.Ttl > 1) await SpreadAsync(packet with { Ttl = packet.Ttl - 1 }, from.Peer.Id).ConfigureAwait(false);
    }

    // Inside its region a find-me goes to a random few of the region's nodes this node knows; outside, toward it.
    private async Task SpreadAsync(FindMePacket packet, NodeId? from)
    {
        var inRegion = Identity.Id.HasPrefix(packet.Region, packet.RegionBits);
        var candidates = inRegion
            ? Table.WithPrefix(packet.Region, packet.RegionBits).Where(p => p.Id != from).OrderBy(_ => Random.Shared.Next()).Take(_options.FindMeFanout)
            : Table.Closest(packet.Region, _options.FindMeRouteFanout + 1).Where(p => p.Id != from).Take(_options.FindMeRouteFanout);
        // A relay also passes it to the nodes in the region that are reachable only through it.
        var reserved = _desk?.ReservedIn(packet.Region, packet.RegionBits).Where(l => l.Peer.Id != from) ?? [];
        await Task.WhenAll(reserved.Select(async link =>
        {
            try
            {
                await link.SendFindMeAsync(packet).ConfigureAwait(false);
            }
            catch (OverlayUnreachableException)
            {
                // its reservation ends with the link
            }
        })).ConfigureAwait(false);
        await Task.WhenAll(candidates.Select(async peer =>
        {
            try
            {
                var link = await LinkToAsync(peer).ConfigureAwait(false);
                await link.SendFindMeAsync(packet).ConfigureAwait(false);
            }
            catch (OverlayUnreachableException)
            {
                Table.Remove(peer.Id);
            }
        })).ConfigureAwait(false);
    }

    private async Task ConnectBackAsync(Contact contact, FindMeContent content)
    {
        foreach (var address in content.Addresses)
        {
            try
            {
                if (address.StartsWith(RelayPrefix, StringComparison.Ordinal))
                {
                    if (!_options.AllowRelay) continue;
                    Keep(await DialThroughRelayAsync(address[RelayPrefix.Length..], content.SenderPublicKey).ConfigureAwait(false));
                    return;
                }
                var link = await _transport.ConnectAsync(address, content.SenderPublicKey).ConfigureAwait(false);
                Keep(link);
                return;
            }
            catch (OverlayUnreachableException)
            {
                // the next address, if any
            }
        }
        Drop("find-me", $"{contact.Name} could not be reached at any address it gave", null);
    }
}
