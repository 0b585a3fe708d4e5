using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Peers;

/// <summary>A connection's receiving side: the frame loop, the T/R hot path, delivery and receipts.</summary>
internal sealed partial class PeerConnection
{
    private void StartReading()
    {
        if (Interlocked.Exchange(ref _reading, 1) == 0) _ = ReadLoopAsync();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!IsClosed)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var keepReading = true;
                while (keepReading)
                {
                    switch (FrameCodec.TryReadFrame(ref buffer, out var frame, Options.EffectiveMaxFrameLength))
                    {
                        case FrameReadStatus.NeedMoreData:
                            keepReading = false;
                            break;
                        case FrameReadStatus.TooLarge:
                            Close(CloseReason.OversizedFrame);
                            return;
                        case FrameReadStatus.Empty:
                            Close(CloseReason.MalformedPacket);
                            return;
                        case FrameReadStatus.UnknownType when Options.Mode != PeerMode.Strict:
                            // The JavaScript peer ignores types it does not know; so do its compatible modes.
                            if (!FrameCodec.TrySkipFrame(ref buffer, Options.EffectiveMaxFrameLength)) keepReading = false;
                            break;
                        case FrameReadStatus.UnknownType:
                            Close(CloseReason.PacketNotAllowed);
                            return;
                        default:
                            Touch();
                            PeerMetrics.BytesReceived.Add(frame.Body.Length + 5);
                            Options.PacketObserver?.Invoke(new PacketTrace(Id, false, frame.Type, (int)frame.Body.Length + 1));
                            if (!Accepts(frame.Type))
                            {
                                Close(CloseReason.PacketNotAllowed);
                                return;
                            }
                            // The hot path: traffic in the open state does not fire the machine.
                            var handled = IsOpen
                                ? HandleTraffic(frame.Type, frame.Body)
                                : await HandleLifecycleAsync(frame.Type, frame.Body).ConfigureAwait(false);
                            if (!handled) return;
                            if (_undelivered is not null) await DeliverWaitingAsync().ConfigureAwait(false);
                            break;
                    }
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(CloseReason.RemoteClosed);
                    return;
                }
                if (_received.IsDue) SendReceiptSoon();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // ChannelClosedException (an InvalidOperationException): the node stopped while a message waited for room.
            Close(_node.IsStopping ? CloseReason.LocalClosed : IsReset(e) ? CloseReason.RemoteClosed : CloseReason.SocketError);
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The hot path: T, R and B in the open (or confirming) phase, no state machine, one allocation per message (its bytes).</summary>
    private bool HandleTraffic(PacketType type, ReadOnlySequence<byte> body)
    {
        if (type == PacketType.Batch) return HandleBatch(body);
        if (type == PacketType.Receipt)
        {
            Span<byte> count = stackalloc byte[ReceiptBodyLength];
            return TryReadReceipt(body, count) && Acknowledge(BinaryPrimitives.ReadInt64BigEndian(count));
        }
        if (!TryReadTransport(body, out var plaintext)) return false;
        Deliver(plaintext);
        return true;
    }

    /// <summary>An R's count (8 bytes) decrypted; false, and closed, for a body of another length or a bad MAC.</summary>
    internal bool TryReadReceipt(in ReadOnlySequence<byte> body, Span<byte> count)
    {
        if (body.Length != ReceiptBodyLength + _noise.TransportOverhead) return Refuse(CloseReason.MalformedPacket);
        return _noise.TryDecryptTransport(body, count) || Refuse(CloseReason.BadMac);
    }

    /// <summary>A T's message decrypted into a new array; false, and closed, for a bad MAC.</summary>
    internal bool TryReadTransport(in ReadOnlySequence<byte> body, [NotNullWhen(true)] out byte[]? plaintext)
    {
        plaintext = null;
        if (body.Length < _noise.TransportOverhead) return Refuse(CloseReason.BadMac);
        var opened = new byte[body.Length - _noise.TransportOverhead];
        if (!_noise.TryDecryptTransport(body, opened)) return Refuse(CloseReason.BadMac);
        plaintext = opened;
        return true;
    }

    internal void Deliver(byte[] json)
    {
        _received.Count();
        var message = new PeerMessage(RemoteAgent, Id, json);
        if (_undelivered is null && _node.TryDeliver(message)) return;
        // The application's queue is full: the read loop waits for room before reading on (TCP pushes back).
        (_undelivered ??= []).Add(message);
    }

    private async ValueTask DeliverWaitingAsync()
    {
        var waiting = _undelivered!;
        _undelivered = null;
        foreach (var message in waiting) await _node.DeliverAsync(message).ConfigureAwait(false);
    }

    /// <summary>Completes every written message the receipt's cumulative count covers; false (and closed) for a count of messages never sent.</summary>
    internal bool Acknowledge(long count)
    {
        if (_ledger.TryAcknowledge(count, this, static (connection, sequence, message) =>
                message.TrySetResult(new DeliveryReceipt(connection.RemoteAgent, connection.Id, sequence, DeliveryMode.Confirmed))))
            return true;
        Close(CloseReason.MalformedPacket); // the peer is broken or lying
        return false;
    }

    /// <summary>Asks the write loop for a receipt, so the read loop never waits for the write lock (both sides' read loops must keep reading).</summary>
    private void SendReceiptSoon()
    {
        if (!_receipts) return;
        lock (_outbox)
        {
            if (IsClosed) return;
            _receiptDue = true;
            if (_writerActive) return;
            _writerActive = true;
        }
        // Off the read loop: it reads on while the receipt is written, and the receipt covers what it read meanwhile.
        StartWriter();
    }

    /// <summary>Under the write lock: appends an R frame when messages arrived since the last one. True when it wrote one.</summary>
    internal bool WritePendingReceipt(bool force = false)
    {
        if (!_receipts || !_received.TryTake(out var count, force)) return false;
        Span<byte> plain = stackalloc byte[ReceiptBodyLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, count);
        var body = FrameCodec.BeginFrame(_output, PacketType.Receipt, ReceiptBodyLength + _noise.TransportOverhead);
        CompleteFrame(_output, PacketType.Receipt, _noise.EncryptTransport(plain, body));
        return true;
    }
}
