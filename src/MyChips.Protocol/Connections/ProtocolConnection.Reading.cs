using System.Buffers;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>
/// The receiving side: frames read without copying, checked against the spec, opened by Noise, fed to the machine.
/// One flow reads at a time (the read turn): the read loop, or a step that reads for itself
/// (<see cref="ReadPacketAsync"/>, <see cref="ReadRawAsync"/>); what is read but not yet taken waits in <c>_unread</c>.
/// </summary>
public sealed partial class ProtocolConnection
{
    private readonly SemaphoreSlim _readTurn = new(1, 1);
    private ReadOnlySequence<byte> _unread;
    private bool _holdingRead; // a read result is held: the pipe is advanced past what was taken before the next read
    private bool _inputEnded;  // the peer's FIN came with the last read
    private int _readersWaiting; // steps from outside that want the read turn

    private async Task ReadLoopAsync()
    {
        try
        {
            while (CloseReason is null)
            {
                await _readTurn.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (!await ReadFramesAsync().ConfigureAwait(false)) return;
                    if (_inputEnded)
                    {
                        Close(ConnectionCloseKind.RemoteClosed, _unread.IsEmpty ? "the peer closed the connection" : "the peer closed the connection in the middle of a frame");
                        return;
                    }
                    // A step from outside waits to read for itself: it goes first.
                    if (Volatile.Read(ref _readersWaiting) > 0) continue;
                    await FillAsync(CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    _readTurn.Release();
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Close(IsReset(e) ? ConnectionCloseKind.RemoteClosed : ConnectionCloseKind.SocketError, e.Message);
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Feeds every whole frame read so far to the machine: false when one ended the connection.</summary>
    private async ValueTask<bool> ReadFramesAsync()
    {
        while (CloseReason is null)
        {
            var buffer = _unread;
            switch (_format.TryRead(ref buffer, _maxFrameLength, out var type, out var body, out var violation, out var error))
            {
                case FrameRead.Complete:
                    _options.FrameObserver?.Invoke(new FrameTrace(this, false, type, (int)(_unread.Length - buffer.Length)));
                    _unread = buffer;
                    if (!await ReceiveAsync(type, body).ConfigureAwait(false)) return false;
                    break;
                case FrameRead.Violation:
                    if (_options.SkipUnknownPackets && _format.TrySkipUnknown(ref buffer, _maxFrameLength))
                    {
                        _unread = buffer;
                        break;
                    }
                    await ViolatedAsync(violation, error).ConfigureAwait(false);
                    return false;
                default:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads more from the socket into <c>_unread</c>, after giving back to the pipe what was taken. False when the
    /// read was canceled (the connection closing, or a step from outside asking for the read turn).
    /// </summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_holdingRead)
        {
            _input.AdvanceTo(_unread.Start, _unread.End);
            (_holdingRead, _unread) = (false, default);
        }
        var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
        (_unread, _holdingRead, _inputEnded) = (result.Buffer, true, result.IsCompleted);
        return !result.IsCanceled;
    }

    /// <summary>One frame: false when it ended the connection.</summary>
    private async ValueTask<bool> ReceiveAsync(byte type, ReadOnlySequence<byte> body)
    {
        if (!_protocol.TryGetPacket(type, out var packet))
        {
            if (_options.SkipUnknownPackets) return true;
            await ViolatedAsync(ProtocolViolation.UnknownPacket, $"type 0x{type:X2} is no packet of {_protocol.Name}").ConfigureAwait(false);
            return false;
        }
        var peerRole = Role == ConnectionRole.Initiator ? ConnectionRole.Responder : ConnectionRole.Initiator;
        if (!packet.IsSentBy(peerRole))
        {
            await ViolatedAsync(ProtocolViolation.UnexpectedPacket, $"{packet} may not be sent by the {peerRole}", packet).ConfigureAwait(false);
            return false;
        }
        await _steps.WaitAsync().ConfigureAwait(false);
        _readingStep = true; // the read loop holds the read turn: the packet's action may read on
        try
        {
            if (CloseReason is not null) return false;
            if (!_machine.Accepts(type))
            {
                await ViolatedAsync(ProtocolViolation.UnexpectedPacket, $"{packet} is not expected in state {_machine.StateName}", packet).ConfigureAwait(false);
                return false;
            }
            if (await ReceiveBySessionAsync(packet, body).ConfigureAwait(false) is { } taken) return taken;
            var completedBefore = _noise.IsCompleted;
            if (!_noise.TryOpen(packet, body, out var payload, out var error))
            {
                await ViolatedAsync(packet.Stage == PacketStage.Transport ? ProtocolViolation.DecryptionFailed : ProtocolViolation.HandshakeFailed, error, packet).ConfigureAwait(false);
                return false;
            }
            // The packet's own action runs knowing the handshake its message completed is done.
            if (!completedBefore && _noise.IsCompleted) _session.NotifyHandshakeCompleted();
            var outcome = await StepAsync(() => _machine.ReceiveAsync(type, payload), received: true).ConfigureAwait(false);
            if (outcome.Kind == ActionOutcomeKind.NotAllowed)
            {
                await ViolatedAsync(ProtocolViolation.UnexpectedPacket, $"{packet} is not allowed in state {_machine.StateName}", packet).ConfigureAwait(false);
                return false;
            }
            return Settle(outcome, ConnectionCloseKind.Completed);
        }
        finally
        {
            _readingStep = false;
            _steps.Release();
        }
    }

    /// <summary>The session's own reading of a packet, if it takes it: false when that ended the connection; null when it left it to the machine.</summary>
    private async ValueTask<bool?> ReceiveBySessionAsync(PacketDescriptor packet, ReadOnlySequence<byte> body)
    {
        var before = _machine.StateName;
        ActionOutcome? taken;
        try
        {
            taken = await _session.NotifyReceiveAsync(packet, body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var detail = $"the session failed to read {packet}: {e.GetType().Name}: {e.Message}";
            Close(ConnectionCloseKind.Failed, detail);
            taken = ActionOutcome.Close(detail);
        }
        if (taken is not { } outcome) return null;
        if (outcome.Kind == ActionOutcomeKind.NotAllowed)
        {
            await ViolatedAsync(ProtocolViolation.UnexpectedPacket, $"{packet} is not allowed in state {_machine.StateName}", packet).ConfigureAwait(false);
            return false;
        }
        _stayed = string.Equals(before, _machine.StateName, StringComparison.Ordinal);
        return Settle(outcome, ConnectionCloseKind.Completed);
    }

    private static bool IsReset(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted;
}
