using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Wire;

internal sealed partial class OverlayLink
{
    public async ValueTask<RelayReservation> ReserveAsync(CancellationToken cancellationToken = default)
    {
        RequireRelay();
        var answer = (Reservation)await RequestAsync(id => connection.SendReserveAsync(new Probe(id), cancellationToken), cancellationToken).ConfigureAwait(false);
        return answer.Accepted
            ? new RelayReservation(true, TimeSpan.FromSeconds(answer.Seconds), (long)answer.Bytes, null)
            : RelayReservation.Refused(answer.Reason ?? "refused");
    }

    public async ValueTask<DialOutcome> DialAsync(ReadOnlyMemory<byte> targetKey, CancellationToken cancellationToken = default)
    {
        RequireRelay();
        var answer = (DialResult)await RequestAsync(id => connection.SendDialAsync(new DialRequest(id, targetKey.ToArray()), cancellationToken), cancellationToken).ConfigureAwait(false);
        return answer.Accepted ? new DialOutcome(answer.Circuit, null) : DialOutcome.Refused(answer.Reason ?? "refused");
    }

    public async ValueTask OpenCircuitAsync(uint circuit, ReadOnlyMemory<byte> sourceKey, CancellationToken cancellationToken = default) =>
        await Guard(connection.SendCircuitAsync(new CircuitOpen(circuit, sourceKey.ToArray()), cancellationToken)).ConfigureAwait(false);

    public async ValueTask SendRelayedAsync(uint circuit, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        await Guard(connection.SendRelayedAsync(new Chunk(circuit, data.ToArray()), cancellationToken)).ConfigureAwait(false);

    public async ValueTask HangupAsync(uint circuit, string? reason, CancellationToken cancellationToken = default) =>
        await Guard(connection.SendHangupAsync(new CircuitEnd(circuit, reason), cancellationToken)).ConfigureAwait(false);

    // Relay packets go only to a peer that said it relays: one that does not never sees them.
    private void RequireRelay()
    {
        if ((Peer.Flags & PeerFlags.Relay) == 0) throw new OverlayUnreachableException($"{Peer} does not relay");
    }

    public async ValueTask<ActionOutcome> AnswerReserveAsync(Probe probe)
    {
        var granted = handler.OnReserve(this);
        await connection.SendReservedAsync(new Reservation(probe.Request, granted.Accepted, (uint)granted.Duration.TotalSeconds, (ulong)granted.CircuitBytes, granted.Reason)).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakeReserved(Reservation reservation) => Answered(reservation.Request, reservation);

    public async ValueTask<ActionOutcome> AnswerDialAsync(DialRequest request)
    {
        var outcome = request.Target.Length == X25519Keys.KeyLength
            ? await handler.OnDialAsync(this, request.Target).ConfigureAwait(false)
            : DialOutcome.Refused("the target is not a 32-byte key");
        await connection.SendDialedAsync(new DialResult(request.Request, outcome.Circuit, outcome.Refusal is null, outcome.Refusal)).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakeDialed(DialResult result) => Answered(result.Request, result);

    public async ValueTask<ActionOutcome> TakeCircuitAsync(CircuitOpen open)
    {
        if (open.Source.Length != X25519Keys.KeyLength) return ActionOutcome.Close("a circuit from something that is not a 32-byte key");
        await handler.OnCircuitAsync(this, open.Circuit, open.Source).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> TakeRelayedAsync(Chunk chunk)
    {
        await handler.OnRelayedAsync(this, chunk.Circuit, chunk.Data).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> TakeHangupAsync(CircuitEnd end)
    {
        await handler.OnHangupAsync(this, end.Circuit, end.Reason).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    private ValueTask<ActionOutcome> Answered(uint request, object answer)
    {
        if (_pending.TryGetValue(request, out var waiting)) waiting.TrySetResult(answer);
        return new(ActionOutcome.Continue);
    }
}
