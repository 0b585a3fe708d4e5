using System.Buffers;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>The receiving side: frames read without copying, checked against the spec, opened by Noise, fed to the machine.</summary>
public sealed partial class ProtocolConnection
{
    private async Task ReadLoopAsync()
    {
        try
        {
            while (CloseReason is null)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) return;
                var buffer = result.Buffer;
                var reading = true;
                while (reading)
                {
                    var unread = buffer.Length;
                    switch (_format.TryRead(ref buffer, _maxFrameLength, out var type, out var body, out var violation, out var error))
                    {
                        case FrameRead.Complete:
                            _options.FrameObserver?.Invoke(new FrameTrace(this, false, type, (int)(unread - buffer.Length)));
                            if (!await ReceiveAsync(type, body).ConfigureAwait(false)) return;
                            break;
                        case FrameRead.Violation:
                            if (_options.SkipUnknownPackets && _format.TrySkipUnknown(ref buffer, _maxFrameLength)) break;
                            Violated(violation, error);
                            return;
                        default:
                            reading = false;
                            break;
                    }
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(ConnectionCloseKind.RemoteClosed, buffer.IsEmpty ? "the peer closed the connection" : "the peer closed the connection in the middle of a frame");
                    return;
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

    /// <summary>One frame: false when it ended the connection.</summary>
    private async ValueTask<bool> ReceiveAsync(byte type, ReadOnlySequence<byte> body)
    {
        if (!_protocol.TryGetPacket(type, out var packet))
        {
            if (_options.SkipUnknownPackets) return true;
            Violated(ProtocolViolation.UnknownPacket, $"type 0x{type:X2} is no packet of {_protocol.Name}");
            return false;
        }
        var peerRole = Role == ConnectionRole.Initiator ? ConnectionRole.Responder : ConnectionRole.Initiator;
        if (!packet.IsSentBy(peerRole))
        {
            Violated(ProtocolViolation.UnexpectedPacket, $"{packet} may not be sent by the {peerRole}");
            return false;
        }
        await _steps.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CloseReason is not null) return false;
            if (!_machine.Accepts(type))
            {
                Violated(ProtocolViolation.UnexpectedPacket, $"{packet} is not expected in state {_machine.StateName}");
                return false;
            }
            if (await ReceiveBySessionAsync(packet, body).ConfigureAwait(false) is { } taken) return taken;
            var completedBefore = _noise.IsCompleted;
            if (!_noise.TryOpen(packet, body, out var payload, out var error))
            {
                Violated(packet.Stage == PacketStage.Transport ? ProtocolViolation.DecryptionFailed : ProtocolViolation.HandshakeFailed, error);
                return false;
            }
            // The packet's own action runs knowing the handshake its message completed is done.
            if (!completedBefore && _noise.IsCompleted) _session.NotifyHandshakeCompleted();
            var outcome = await StepAsync(() => _machine.ReceiveAsync(type, payload), received: true).ConfigureAwait(false);
            if (outcome.Kind == ActionOutcomeKind.NotAllowed)
            {
                Violated(ProtocolViolation.UnexpectedPacket, $"{packet} is not allowed in state {_machine.StateName}");
                return false;
            }
            return Settle(outcome, ConnectionCloseKind.Completed);
        }
        finally
        {
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
            taken = ActionOutcome.Close($"the session failed to read {packet}: {e.GetType().Name}: {e.Message}");
        }
        if (taken is not { } outcome) return null;
        if (outcome.Kind == ActionOutcomeKind.NotAllowed)
        {
            Violated(ProtocolViolation.UnexpectedPacket, $"{packet} is not allowed in state {_machine.StateName}");
            return false;
        }
        _stayed = string.Equals(before, _machine.StateName, StringComparison.Ordinal);
        return Settle(outcome, ConnectionCloseKind.Completed);
    }

    private static bool IsReset(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted;
}
