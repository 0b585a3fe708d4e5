using System.Net;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Punching;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Wire;

internal sealed partial class OverlayLink
{
    public async ValueTask<ObservedAddress> ObserveAsync(CancellationToken cancellationToken = default)
    {
        RequirePunch();
        var answer = (Sighting)await RequestAsync(id => connection.SendObserveAsync(new Probe(id), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (!IPEndPoint.TryParse(answer.Address, out var seen) || seen.Port == 0)
            throw new OverlayUnreachableException($"{Peer} observed an address that is not ip:port: '{answer.Address}'");
        if (answer.Probe.Length is not (0 or UdpObserver.TokenLength))
            throw new OverlayUnreachableException($"{Peer} handed out a UDP probe token of {answer.Probe.Length} bytes");
        return new ObservedAddress(seen, answer.Probe);
    }

    public async ValueTask SendSignalAsync(ReadOnlyMemory<byte> targetKey, ReadOnlyMemory<byte> sourceKey, OverlaySignal signal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signal);
        RequirePunch();
        await Guard(connection.SendSignalAsync(signal.ToWire(targetKey, sourceKey), cancellationToken)).ConfigureAwait(false);
    }

    // Punch packets go only to a peer that said it knows them: one that does not never sees them.
    private void RequirePunch()
    {
        if ((Peer.Flags & PeerFlags.Punch) == 0) throw new OverlayUnreachableException($"{Peer} does not take punch packets");
    }

    private bool OffersPunch => (handler.Self.Flags & PeerFlags.Punch) != 0;

    public async ValueTask<ActionOutcome> AnswerObserveAsync(Probe probe)
    {
        if (!OffersPunch) return ActionOutcome.Close("a punch packet to a node that does not offer punching");
        if (connection.RemoteEndPoint is not IPEndPoint remote) return ActionOutcome.Close("a connection with no IP address to observe");
        var seen = remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote;
        var token = transport.Observer?.Issue() ?? [];
        await connection.SendObservedAsync(new Sighting(probe.Request, seen.ToString(), token)).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakeObserved(Sighting sighting) => Answered(sighting.Request, sighting);

    public async ValueTask<ActionOutcome> TakeSignalAsync(PunchSignal body)
    {
        if (!OffersPunch) return ActionOutcome.Close("a punch packet to a node that does not offer punching");
        if (OverlaySignal.TryRead(body, out var problem) is not { } signal) return ActionOutcome.Close($"a malformed punch signal: {problem}");
        await handler.OnSignalAsync(this, body.Target, body.Source, signal).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }
}
