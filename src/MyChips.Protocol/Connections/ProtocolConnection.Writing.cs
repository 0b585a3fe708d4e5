using System.Buffers;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>
/// The sending side: each packet is sealed (handshake message, transport encryption or clear) in the order
/// <see cref="SendAsync"/> is called, queued as a whole frame, and written by one loop that flushes once per batch.
/// </summary>
public sealed partial class ProtocolConnection
{
    private readonly SemaphoreSlim _sealing = new(1, 1);
    private int _writeRequested; // 1 while the session waits for its write turn

    /// <summary>
    /// The session has packets of its own to write: the write loop gives it a turn (<c>WritePending</c>) soon, then
    /// flushes. Calls before that turn are one request.
    /// </summary>
    public void RequestWrite()
    {
        if (Interlocked.Exchange(ref _writeRequested, 1) != 0) return;
        lock (_outboxGate) StartWritingLocked();
    }

    /// <summary>In the session's write turn: one transport or clear packet sealed straight into the pipe.</summary>
    internal void WriteDirect(PacketDescriptor packet, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.Stage == PacketStage.Handshake)
            throw new ArgumentException($"{packet} is a handshake message: send it with SendAsync, in the handshake's order.", nameof(packet));
        if (!packet.IsSentBy(Role)) throw new ArgumentException($"{packet} may not be sent by the {Role}.", nameof(packet));
        var bodyLength = SealedBodyLength(packet, payload, nameof(payload));
        var size = _format.FrameSize(packet, bodyLength);
        var frame = _output.GetSpan(size)[..size];
        _noise.Seal(packet, payload, frame[_format.Layout(frame, packet, bodyLength)]);
        _output.Advance(size);
        _options.FrameObserver?.Invoke(new FrameTrace(this, true, packet.Type, size));
    }

    /// <summary>
    /// Sends one packet with this plaintext body. Returns once the frame is queued (waiting for room when the
    /// queue is full). Throws <see cref="ArgumentException"/> for a type this side may not send and
    /// <see cref="InvalidOperationException"/> when the spec's Noise order does not allow it now (a transport
    /// packet before the handshake completed) or the connection is closed.
    /// </summary>
    public async ValueTask SendAsync(byte packetType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (!_protocol.TryGetPacket(packetType, out var packet))
            throw new ArgumentException($"Type 0x{packetType:X2} is no packet of {_protocol.Name}.", nameof(packetType));
        if (!packet.IsSentBy(Role))
            throw new ArgumentException($"{packet} may not be sent by the {Role}.", nameof(packetType));
        await _sealing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (CloseReason is { } closed) throw new InvalidOperationException($"The connection is closed ({closed}).");
            var bodyLength = SealedBodyLength(packet, body.Span, nameof(body));
            var size = _format.FrameSize(packet, bodyLength);
            var frame = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                _noise.Seal(packet, body.Span, frame.AsSpan(_format.Layout(frame, packet, bodyLength)));
                await EnqueueAsync(new OutgoingFrame(frame, size, packet.Type), cancellationToken).ConfigureAwait(false);
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

    /// <summary>The packet's body length once sealed; <see cref="ArgumentException"/> when the framing cannot carry it or it does not fit the maximum frame.</summary>
    private int SealedBodyLength(PacketDescriptor packet, ReadOnlySpan<byte> payload, string parameter)
    {
        if (_format.CheckBody(payload) is { } unfit) throw new ArgumentException($"{packet}: {unfit}.", parameter);
        var bodyLength = _noise.GetBodyLength(packet, payload.Length);
        if (!_format.Fits(packet, bodyLength, _maxFrameLength))
            throw new ArgumentException($"{packet} with a {payload.Length}-byte body does not fit the {_maxFrameLength}-byte maximum frame.", parameter);
        return bodyLength;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (HasWriteWork())
            {
                WriteQueued();
                var sessionWrote = await WriteSessionTurnAsync().ConfigureAwait(false);
                // A peer that reads nothing cannot hold the loop: past the stall timeout the connection closes.
                await BoundedFlush.FlushAsync(_output, _options.WriteStallTimeout, _options.TimeProvider,
                    static connection => connection.Close(ConnectionCloseKind.WriteStalled, $"the peer read nothing for {connection._options.WriteStallTimeout}"), this).ConfigureAwait(false);
                if (sessionWrote) NotifyWritten();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Close(IsReset(e) ? ConnectionCloseKind.RemoteClosed : ConnectionCloseKind.SocketError, e.Message);
        }
        finally
        {
            if (CloseReason is not null) DropUnsent();
        }
    }

    /// <summary>Copies every queued frame into the pipe.</summary>
    private void WriteQueued()
    {
        while (TryDequeue(out var frame))
        {
            frame.Bytes.AsSpan(0, frame.Length).CopyTo(_output.GetSpan(frame.Length));
            _output.Advance(frame.Length);
            _options.FrameObserver?.Invoke(new FrameTrace(this, true, frame.Type, frame.Length));
            ArrayPool<byte>.Shared.Return(frame.Bytes);
        }
    }

    /// <summary>
    /// The session's write turn, when it asked for one. It seals in the write loop, so no send may seal meanwhile:
    /// the turn waits for the sealing lock (a send holding it can only be queuing its one frame, and the queue was
    /// just emptied), writes what was sealed before it, then lets the session write. False when no turn was taken.
    /// </summary>
    private async ValueTask<bool> WriteSessionTurnAsync()
    {
        if (Volatile.Read(ref _writeRequested) == 0) return false;
        await _sealing.WaitAsync().ConfigureAwait(false);
        try
        {
            WriteQueued();
            Volatile.Write(ref _writeRequested, 0);
            if (CloseReason is not null) return false;
            _session.NotifyWrite(new ConnectionWriter(this));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not IOException and not ObjectDisposedException)
        {
            Close(ConnectionCloseKind.Failed, $"the session failed to write: {e.GetType().Name}: {e.Message}");
            return false;
        }
        finally
        {
            _sealing.Release();
        }
    }

    private void NotifyWritten()
    {
        try
        {
            _session.NotifyWritten();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Close(ConnectionCloseKind.Failed, $"the session failed after its write: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A sealed frame in a pooled buffer, returned once written.</summary>
    private readonly record struct OutgoingFrame(byte[] Bytes, int Length, byte Type);
}
