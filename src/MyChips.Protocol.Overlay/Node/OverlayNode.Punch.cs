using System.Collections.Concurrent;
using System.Threading.Channels;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Punching;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

/// <summary>
/// Hole-punch signalling over the overlay: signals to and from contacts, over a direct link or passed on by a relay,
/// and relay circuits used as byte streams when punching fails.
/// </summary>
public sealed partial class OverlayNode
{
    private const int MaxSignalInboxes = 1024;
    private const int SignalsWaiting = 16;

    private readonly ConcurrentDictionary<NodeId, SignalInbox> _signalInboxes = new();
    private readonly ConcurrentDictionary<NodeId, TaskCompletionSource<RelayStream>> _expectedCircuits = new();
    private readonly ConcurrentDictionary<(NodeId Relay, uint Circuit), RelayStream> _circuits = new();
    private readonly Channel<Contact> _punchRequests = Channel.CreateBounded<Contact>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Contacts that began a punch towards this node (their first CONNECT waits in <see cref="SignalsFrom"/>).</summary>
    public ChannelReader<Contact> PunchRequests => _punchRequests.Reader;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="contact"/> over <paramref name="via"/>: the contact's own link, or a relay linked to it.</summary>
    public async Task SendSignalAsync(IOverlayLink via, Contact contact, OverlaySignal signal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(via);
        ArgumentNullException.ThrowIfNull(contact);
        await via.SendSignalAsync(contact.TheirCard.PublicKey, ReadOnlyMemory<byte>.Empty, signal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signals from <paramref name="contact"/>, in order; each one later in the punch than the one before.</summary>
    public ChannelReader<OverlaySignal> SignalsFrom(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return _signalInboxes.GetOrAdd(contact.Id, _ => new SignalInbox()).Signals.Reader;
    }

    /// <summary>Forgets a punch with <paramref name="contact"/>: its waiting signals and any circuit expected from it.</summary>
    public void EndPunch(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        _signalInboxes.TryRemove(contact.Id, out _);
        if (_expectedCircuits.TryRemove(contact.Id, out var expected)) expected.TrySetCanceled();
    }

    /// <summary>Opens a circuit through <paramref name="relay"/> to <paramref name="contact"/>, which holds a reservation there and expects it.</summary>
    public async Task<RelayStream> OpenCircuitAsync(IOverlayLink relay, Contact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(contact);
        if (!_options.AllowRelay) throw new InvalidOperationException("Relays are off for this node (AllowRelay is false).");
        var outcome = await relay.DialAsync(contact.TheirCard.PublicKey, cancellationToken).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal) throw new OverlayUnreachableException($"the relay refused the circuit: {refusal}");
        var circuit = new RelayStream(relay, outcome.Circuit, ForgetCircuit);
        _circuits[(relay.Peer.Id, outcome.Circuit)] = circuit;
        return circuit;
    }

    /// <summary>The next circuit <paramref name="contact"/> opens to this node through a relay, taken as a byte stream.</summary>
    public Task<RelayStream> ExpectCircuit(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (!_options.AllowRelay) throw new InvalidOperationException("Relays are off for this node (AllowRelay is false).");
        return _expectedCircuits.GetOrAdd(contact.Id, _ => new TaskCompletionSource<RelayStream>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    private bool TryTakeExpectedCircuit(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> sourceKey)
    {
        if (!_expectedCircuits.TryRemove(NodeId.FromPublicKey(sourceKey.Span), out var expected)) return false;
        var taken = new RelayStream(relay, circuit, ForgetCircuit);
        _circuits[(relay.Peer.Id, circuit)] = taken;
        expected.TrySetResult(taken);
        return true;
    }

    private void ForgetCircuit(RelayStream circuit) => _circuits.TryRemove(new((circuit.Relay.Peer.Id, circuit.Id), circuit));

    async ValueTask IOverlayHandler.OnSignalAsync(IOverlayLink from, ReadOnlyMemory<byte> targetKey, ReadOnlyMemory<byte> sourceKey, OverlaySignal signal)
    {
        if (!targetKey.Span.SequenceEqual(Identity.PublicKey.Span))
        {
            await PassSignalOnAsync(from, targetKey, sourceKey, signal).ConfigureAwait(false);
            return;
        }
        if (!sourceKey.IsEmpty && (from.Peer.Flags & PeerFlags.Relay) == 0)
        {
            Drop("signal", "passed on by a node that does not relay", from);
            return;
        }
        var origin = sourceKey.IsEmpty ? from.Peer.PublicKey : sourceKey;
        if (Contacts.FindByKey(origin.Span) is not { } contact)
        {
            Drop("signal", "from a node that is not a contact", from);
            return;
        }
        var inbox = _signalInboxes.GetOrAdd(contact.Id, _ => _signalInboxes.Count < MaxSignalInboxes ? new SignalInbox() : SignalInbox.Full);
        if (ReferenceEquals(inbox, SignalInbox.Full))
        {
            _signalInboxes.TryRemove(new(contact.Id, inbox));
            Drop("signal", $"{MaxSignalInboxes} punches wait already", from);
            return;
        }
        if (inbox.Take(signal) is { } refusal)
        {
            Drop("signal", refusal, from);
            return;
        }
        if (signal is { Kind: OverlaySignalKind.Connect } && inbox.First) _punchRequests.Writer.TryWrite(contact);
    }

    // As a relay: a signal goes on only to a node this one holds a link to and that knows punch packets.
    private async Task PassSignalOnAsync(IOverlayLink from, ReadOnlyMemory<byte> targetKey, ReadOnlyMemory<byte> sourceKey, OverlaySignal signal)
    {
        var refusal = (Self.Flags & PeerFlags.Relay) == 0 ? "for another node, and this node does not relay"
            : !sourceKey.IsEmpty ? "passed on already by another relay"
            : null;
        var to = refusal is null ? _links.Get(NodeId.FromPublicKey(targetKey.Span)) : null;
        refusal ??= to is null || !to.IsOpen ? "for a node this relay holds no link to"
            : (to.Peer.Flags & PeerFlags.Punch) == 0 ? "for a node that does not know punch packets"
            : null;
        if (refusal is not null)
        {
            Drop("signal", refusal, from);
            return;
        }
        try
        {
            await to!.SendSignalAsync(targetKey, from.Peer.PublicKey, signal).ConfigureAwait(false);
        }
        catch (OverlayUnreachableException)
        {
            Drop("signal", "the target's link failed", from);
        }
    }

    /// <summary>One contact's signals waiting for its punch, bounded, each later in the punch than the last.</summary>
    private sealed class SignalInbox
    {
        public static readonly SignalInbox Full = new();

        private int _lastStep;

        public Channel<OverlaySignal> Signals { get; } = Channel.CreateBounded<OverlaySignal>(new BoundedChannelOptions(SignalsWaiting));

        /// <summary>Whether the signal just taken was the inbox's first.</summary>
        public bool First { get; private set; }

        public string? Take(OverlaySignal signal)
        {
            lock (Signals)
            {
                if (signal.Step <= _lastStep) return "a replayed or out-of-order signal";
                if (!Signals.Writer.TryWrite(signal)) return $"{SignalsWaiting} signals wait unread already";
                First = _lastStep == 0;
                _lastStep = signal.Step;
                return null;
            }
        }
    }
}
