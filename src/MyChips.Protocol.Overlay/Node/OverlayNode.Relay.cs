using System.Collections.Concurrent;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

public sealed partial class OverlayNode
{
    /// <summary>How a find-me names a relay through which its sender is reachable: <c>relay:</c> and the relay's address.</summary>
    public const string RelayPrefix = "relay:";

    // A relay that opens circuits without end cannot make this node hold channels without end.
    private const int MaxRelayedLinks = 64;

    private readonly ConcurrentDictionary<(NodeId Relay, uint Circuit), RelayedLink> _relayed = new();
    private RelayDesk? _desk;

    private RelayDesk Desk => _desk ??= new RelayDesk(_options.RelayLimits, _time);

    /// <summary>Where contacts reach this node through its relay, once it holds a reservation.</summary>
    public string? RelayAddress { get; private set; }

    /// <summary>Reservations this node holds for others, as a relay.</summary>
    public int RelayReservations => _desk?.Reservations ?? 0;

    /// <summary>Circuits open through this node, as a relay.</summary>
    public int RelayCircuits => _desk?.Circuits ?? 0;

    /// <summary>Raised by a relay for each chunk it passes on: what it sees of the traffic.</summary>
    internal event Action<ReadOnlyMemory<byte>>? Relaying;

    /// <summary>
    /// Reserves a place at the nearest known relay that accepts, so that contacts can reach this node although it
    /// accepts no connections. Needs the user's consent (<see cref="OverlayOptions.AllowRelay"/>).
    /// </summary>
    public async Task<RelayReservation> ReserveRelayAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.AllowRelay) throw new InvalidOperationException("Relays are off for this node (AllowRelay is false).");
        var reasons = new List<string>();
        foreach (var relay in Table.Closest(Identity.Id, int.MaxValue).Where(p => (p.Flags & PeerFlags.Relay) != 0))
        {
            try
            {
                var link = await LinkToAsync(relay, cancellationToken).ConfigureAwait(false);
                var reservation = await link.ReserveAsync(cancellationToken).ConfigureAwait(false);
                if (reservation.Accepted)
                {
                    _reservedAt = link;
                    RelayAddress = RelayPrefix + relay.Address;
                    return reservation;
                }
                reasons.Add($"{relay}: {reservation.Reason}");
            }
            catch (OverlayUnreachableException e)
            {
                reasons.Add($"{relay}: {e.Message}");
            }
        }
        throw new OverlayUnreachableException(reasons.Count == 0 ? "no relay is known" : "no relay accepted (" + string.Join("; ", reasons) + ")");
    }

    private async Task<RelayedLink> DialThroughRelayAsync(string relayAddress, ReadOnlyMemory<byte> contactKey)
    {
        var relay = await _transport.ConnectAsync(relayAddress).ConfigureAwait(false);
        Keep(relay);
        var outcome = await relay.DialAsync(contactKey).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal) throw new OverlayUnreachableException($"the relay refused the circuit: {refusal}");
        var link = RelayedLink.Dial(relay, outcome.Circuit, Identity.PrivateKey, contactKey, this, Forget);
        _relayed[(relay.Peer.Id, outcome.Circuit)] = link;
        await link.GreetAsync().ConfigureAwait(false);
        await link.Ready.WaitAsync(_options.FindMeTimeout, _time).ConfigureAwait(false);
        return link;
    }

    // A relayed channel to the contact whose handshake is under way: waited for, rather than a second one begun.
    private async Task<IOverlayLink?> PendingRelayedLinkAsync(NodeId contact)
    {
        if (_relayed.Values.FirstOrDefault(r => r.Peer.Id == contact && !r.Ready.IsCompleted) is not { } pending) return null;
        try
        {
            await pending.Ready.WaitAsync(_options.FindMeTimeout, _time).ConfigureAwait(false);
            return pending;
        }
        catch (Exception e) when (e is OverlayUnreachableException or TimeoutException)
        {
            return null;
        }
    }

    // Links a reservation or a circuit depends on stay open when they fall out of the recent links.
    private bool IsPinned(IOverlayLink link) =>
        ReferenceEquals(link, _reservedAt) || (_desk?.Uses(link) ?? false) || _relayed.Values.Any(r => ReferenceEquals(r.Relay, link))
        || _circuits.Values.Any(c => ReferenceEquals(c.Relay, link));

    private IOverlayLink? _reservedAt;

    private void Forget(RelayedLink link) => _relayed.TryRemove(new((link.Relay.Peer.Id, link.Circuit), link));

    RelayReservation IOverlayHandler.OnReserve(IOverlayLink from) =>
        (Self.Flags & PeerFlags.Relay) == 0 ? RelayReservation.Refused("this node does not relay") : Desk.Reserve(from);

    async ValueTask<DialOutcome> IOverlayHandler.OnDialAsync(IOverlayLink from, ReadOnlyMemory<byte> targetKey)
    {
        if ((Self.Flags & PeerFlags.Relay) == 0) return DialOutcome.Refused("this node does not relay");
        var (outcome, circuit) = Desk.Dial(from, targetKey);
        if (circuit is null) return outcome;
        try
        {
            await circuit.Target.OpenCircuitAsync(circuit.Id, from.Peer.PublicKey).ConfigureAwait(false);
            return outcome;
        }
        catch (OverlayUnreachableException)
        {
            Desk.End(from, circuit.Id);
            return DialOutcome.Refused("the reserved node is gone");
        }
    }

    async ValueTask IOverlayHandler.OnCircuitAsync(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> sourceKey)
    {
        if (TryTakeExpectedCircuit(relay, circuit, sourceKey)) return;
        var refusal = !_options.AllowRelay ? "relays are off here"
            : Contacts.FindByKey(sourceKey.Span) is null ? "the source is not a contact"
            : _relayed.Count >= MaxRelayedLinks ? $"{MaxRelayedLinks} relayed channels are open already"
            : null;
        if (refusal is not null)
        {
            Drop("circuit", refusal, relay);
            await HangupQuietlyAsync(relay, circuit, refusal).ConfigureAwait(false);
            return;
        }
        _relayed[(relay.Peer.Id, circuit)] = RelayedLink.Accept(relay, circuit, Identity.PrivateKey, sourceKey, this, Forget);
    }

    async ValueTask IOverlayHandler.OnRelayedAsync(IOverlayLink from, uint circuit, ReadOnlyMemory<byte> data)
    {
        if (_circuits.TryGetValue((from.Peer.Id, circuit), out var stream))
        {
            await stream.ReceiveAsync(data).ConfigureAwait(false);
            return;
        }
        if (_relayed.TryGetValue((from.Peer.Id, circuit), out var end))
        {
            if (await end.ReceiveAsync(data).ConfigureAwait(false) is { } problem)
            {
                Drop("relayed", problem, from);
                end.Ended(problem);
                await HangupQuietlyAsync(from, circuit, problem).ConfigureAwait(false);
            }
            return;
        }
        if (_desk is null)
        {
            Drop("relayed", "a chunk on no circuit this node knows", from);
            return;
        }
        var (to, broken, limit) = _desk.Route(from, circuit, data.Length);
        if (broken is not null)
        {
            Drop("relayed", limit!, from);
            await HangupQuietlyAsync(broken.Source, circuit, limit).ConfigureAwait(false);
            await HangupQuietlyAsync(broken.Target, circuit, limit).ConfigureAwait(false);
            return;
        }
        if (to is null)
        {
            Drop("relayed", "a chunk on no circuit this node knows", from);
            return;
        }
        Relaying?.Invoke(data);
        try
        {
            await to.SendRelayedAsync(circuit, data).ConfigureAwait(false);
        }
        catch (OverlayUnreachableException)
        {
            _desk.End(from, circuit);
            await HangupQuietlyAsync(from, circuit, "the other end is gone").ConfigureAwait(false);
        }
    }

    async ValueTask IOverlayHandler.OnHangupAsync(IOverlayLink from, uint circuit, string? reason)
    {
        if (_circuits.TryGetValue((from.Peer.Id, circuit), out var stream))
        {
            stream.Ended(reason ?? "hung up");
            return;
        }
        if (_relayed.TryGetValue((from.Peer.Id, circuit), out var end))
        {
            end.Ended(reason ?? "hung up");
            return;
        }
        if (_desk?.End(from, circuit) is { } other) await HangupQuietlyAsync(other, circuit, reason).ConfigureAwait(false);
    }

    private static async Task HangupQuietlyAsync(IOverlayLink link, uint circuit, string? reason)
    {
        try
        {
            await link.HangupAsync(circuit, reason).ConfigureAwait(false);
        }
        catch (OverlayUnreachableException)
        {
            // gone already: nothing to tell
        }
    }
}
