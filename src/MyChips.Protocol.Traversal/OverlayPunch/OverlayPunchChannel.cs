using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Punching;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Transport;
using MyChips.Protocol.Traversal.Punching;
using MyChips.Protocol.Traversal.Rendezvous;

namespace MyChips.Protocol.Traversal.OverlayPunch;

/// <summary>
/// One hole punch with a contact, carried by the overlay: the punch messages travel as overlay signals over
/// <c>via</c> (a relay linked to both nodes, or the contact's own link), and the fallback is a circuit through
/// that relay, used as a byte stream (the direct channel's own Noise handshake runs inside it).
/// </summary>
public sealed class OverlayPunchChannel : ISignallingChannel, IRelayFallback, IDisposable
{
    private readonly OverlayNode _node;
    private readonly IOverlayLink _via;
    private readonly Contact _contact;
    private readonly bool _isInitiator;
    private Task<RelayStream>? _expected;

    /// <param name="isInitiator">Whether this side began the punch (it then dials the relay circuit; the responder waits for it).</param>
    public OverlayPunchChannel(OverlayNode node, IOverlayLink via, Contact contact, bool isInitiator)
    {
        (_node, _via, _contact, _isInitiator) = (node ?? throw new ArgumentNullException(nameof(node)), via ?? throw new ArgumentNullException(nameof(via)),
            contact ?? throw new ArgumentNullException(nameof(contact)), isInitiator);
    }

    /// <summary>
    /// This side of the punch: the shared port its links leave from and the address the relay (or the contact, on
    /// a direct link) sees it at; with <paramref name="udp"/>, also that socket's address, from a UDP probe to the
    /// relay's port.
    /// </summary>
    public async Task<PunchPlan> PlanAsync(SharedPortDialer dialer, Socket? udp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dialer);
        var local = dialer.LocalEndPoint ?? throw new InvalidOperationException("No link has left from the shared port yet.");
        var observed = await _via.ObserveAsync(cancellationToken).ConfigureAwait(false);
        IPEndPoint? observedUdp = null;
        if (udp is not null && !observed.UdpProbeToken.IsEmpty && IPEndPoint.TryParse(_via.Peer.Address ?? "", out var observer))
            observedUdp = await UdpProbe.AskAsync(udp, observer, observed.UdpProbeToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PunchPlan(local, observed.Tcp, udp, observedUdp) { UdpToken = UdpTokenFor(_node.Identity.PublicKey.Span, _contact.TheirCard.PublicKey.Span) };
    }

    // Both sides derive the same token from the two keys, so a stray datagram does not pass for the other's punch.
    private static byte[] UdpTokenFor(ReadOnlySpan<byte> mine, ReadOnlySpan<byte> theirs)
    {
        var mineFirst = mine.SequenceCompareTo(theirs) < 0;
        return SHA256.HashData([.. "overlay udp punch"u8, .. mineFirst ? mine : theirs, .. mineFirst ? theirs : mine])[..16];
    }

    public async ValueTask SendAsync(PunchMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        // The responder waits for the circuit before it tells the initiator to open it.
        if (message.Kind == PunchMessageKind.Relay && !_isInitiator) _expected ??= _node.ExpectCircuit(_contact);
        var kind = message.Kind switch
        {
            PunchMessageKind.Connect => OverlaySignalKind.Connect,
            PunchMessageKind.Sync => OverlaySignalKind.Sync,
            _ => OverlaySignalKind.Relay,
        };
        var signal = new OverlaySignal(kind, message.Attempt, message.Tcp, message.Udp);
        await _node.SendSignalAsync(_via, _contact, signal, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<PunchMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var signal = await _node.SignalsFrom(_contact).ReadAsync(cancellationToken).ConfigureAwait(false);
        var kind = signal.Kind switch
        {
            OverlaySignalKind.Connect => PunchMessageKind.Connect,
            OverlaySignalKind.Sync => PunchMessageKind.Sync,
            _ => PunchMessageKind.Relay,
        };
        return new PunchMessage(kind, signal.Attempt, signal.Tcp, signal.Udp);
    }

    /// <summary>The relay circuit to the contact as a socket; the circuit name of the punch is not needed (the relay numbers circuits itself).</summary>
    public async Task<Socket> OpenCircuitAsync(ReadOnlyMemory<byte> circuit, CancellationToken cancellationToken)
    {
        var stream = _isInitiator
            ? await _node.OpenCircuitAsync(_via, _contact, cancellationToken).ConfigureAwait(false)
            : await (_expected ?? throw new InvalidOperationException("The initiator has not asked for the relay.")).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await CircuitSocket.BridgeAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the punch's waiting signals at the node.</summary>
    public void Dispose() => _node.EndPunch(_contact);
}
