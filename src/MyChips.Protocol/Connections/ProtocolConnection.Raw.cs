using System.Buffers;

namespace MyChips.Protocol.Connections;

/// <summary>
/// Exchanges a step carries out itself, for protocols whose commands are followed by replies and data in a fixed
/// order (a file sent in raw chunks, each acknowledged): a step that holds the read turn reads the next packet or
/// the next N raw bytes itself, and writes raw bytes in order with the packets. What a step reads this way does not
/// go through the machine.
/// </summary>
public sealed partial class ProtocolConnection
{
    private bool _readingStep; // the running step holds the read turn: it may read for itself

    /// <summary>
    /// Runs a step that reads for itself (a request and its replies, started by the application rather than by a
    /// received packet): it waits for the read turn (the read loop hands it over between frames), then runs as
    /// <see cref="RunAsync"/> does.
    /// </summary>
    public async ValueTask<ActionOutcome> RunReadingAsync(Func<ValueTask<ActionOutcome>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Interlocked.Increment(ref _readersWaiting);
        try
        {
            _input.CancelPendingRead(); // the read loop, waiting for bytes, lets go of the read turn
            await _readTurn.WaitAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _readersWaiting);
        }
        try
        {
            return await RunAsync(async () =>
            {
                _readingStep = true;
                try
                {
                    return await step().ConfigureAwait(false);
                }
                finally
                {
                    _readingStep = false;
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            _readTurn.Release();
        }
    }

    /// <summary>
    /// In a step that holds the read turn (a received packet's action, or <see cref="RunReadingAsync"/>): reads the
    /// next packet, checked against the spec (a packet the peer's role may send) and opened, without the machine.
    /// Throws <see cref="TimeoutException"/> when nothing came within <paramref name="timeout"/>,
    /// <see cref="InvalidDataException"/> for a frame the spec refuses, <see cref="EndOfStreamException"/> when the
    /// peer closed, and <see cref="InvalidOperationException"/> outside such a step or once the connection closed.
    /// </summary>
    public async ValueTask<ReceivedPacket> ReadPacketAsync(TimeSpan timeout)
    {
        RequireReadTurn();
        using var deadline = new CancellationTokenSource(timeout, _options.TimeProvider);
        while (true)
        {
            var buffer = _unread;
            switch (_format.TryRead(ref buffer, _maxFrameLength, out var type, out var body, out _, out var error))
            {
                case FrameRead.Complete:
                    _unread = buffer;
                    return Open(type, body);
                case FrameRead.Violation:
                    throw new InvalidDataException(error);
                default:
                    await ReadMoreAsync(deadline.Token).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// In a step that holds the read turn: reads exactly <paramref name="count"/> bytes as they come, with no framing.
    /// <paramref name="count"/> is at most <see cref="ConnectionOptions.MaxRawRead"/>. Throws as <see cref="ReadPacketAsync"/> does.
    /// </summary>
    public async ValueTask<byte[]> ReadRawAsync(int count, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count > _options.MaxRawRead)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A raw read takes at most {_options.MaxRawRead} bytes (ConnectionOptions.MaxRawRead).");
        RequireReadTurn();
        using var deadline = new CancellationTokenSource(timeout, _options.TimeProvider);
        while (_unread.Length < count) await ReadMoreAsync(deadline.Token).ConfigureAwait(false);
        var bytes = _unread.Slice(0, count).ToArray();
        _unread = _unread.Slice(count);
        return bytes;
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as they are, in order with the packets sent before and after. Returns once
    /// they are queued; throws <see cref="InvalidOperationException"/> once the connection closed.
    /// </summary>
    public async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        if (bytes.IsEmpty) return;
        await _sealing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (CloseReason is { } closed) throw new InvalidOperationException($"The connection is closed ({closed}).");
            var frame = ArrayPool<byte>.Shared.Rent(bytes.Length);
            bytes.Span.CopyTo(frame);
            try
            {
                // Raw bytes are no packet: type 0 for the frame observer.
                await EnqueueAsync(new OutgoingFrame(frame, bytes.Length, 0), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(frame);
                throw;
            }
        }
        finally
        {
            _sealing.Release();
        }
    }

    private void RequireReadTurn()
    {
        if (!_readingStep) throw new InvalidOperationException("Only a step that holds the read turn (a received packet's action, or RunReadingAsync) reads for itself.");
    }

    private async ValueTask ReadMoreAsync(CancellationToken deadline)
    {
        if (CloseReason is { } closed) throw new InvalidOperationException($"The connection is closed ({closed}).");
        if (_inputEnded) throw new EndOfStreamException("The peer closed the connection.");
        try
        {
            // A canceled read that is no close is the read loop's hand-over: read again.
            await FillAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException("The peer sent nothing in time.");
        }
    }

    private ReceivedPacket Open(byte type, ReadOnlySequence<byte> body)
    {
        var peerRole = Role == ConnectionRole.Initiator ? ConnectionRole.Responder : ConnectionRole.Initiator;
        if (!_protocol.TryGetPacket(type, out var packet)) throw new InvalidDataException($"type 0x{type:X2} is no packet of {_protocol.Name}");
        if (!packet.IsSentBy(peerRole)) throw new InvalidDataException($"{packet} may not be sent by the {peerRole}");
        if (packet.Stage == PacketStage.Handshake) throw new InvalidDataException($"{packet} is a handshake message, which only the machine takes");
        if (!_noise.TryOpen(packet, body, out var payload, out var error)) throw new InvalidDataException(error);
        return new ReceivedPacket(packet, payload);
    }
}

/// <summary>A packet a step read for itself: what the spec says about it, and its opened body.</summary>
public readonly record struct ReceivedPacket(PacketDescriptor Packet, ReadOnlyMemory<byte> Body);
