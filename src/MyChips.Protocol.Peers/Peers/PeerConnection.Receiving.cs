using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>A connection's receiving side once open: T, R and B without a machine step, delivery and receipts.</summary>
internal sealed partial class PeerConnection
{
    private List<PeerMessage>? _undelivered;

    /// <summary>T, R or B in the open state, read by the session before the engine would step the machine.</summary>
    internal ValueTask<ActionOutcome?> ReceiveTrafficAsync(PacketType type, in ReadOnlySequence<byte> body)
    {
        var outcome = ReadTraffic(type, body);
        if (outcome.Continues) ReceiptIfDue();
        return _undelivered is null ? new(outcome) : DeliverWaitingThenAsync(outcome);
    }

    private ActionOutcome ReadTraffic(PacketType type, in ReadOnlySequence<byte> body)
    {
        if (type == PacketType.Batch) return ReadBatch(body);
        if (type == PacketType.Receipt)
        {
            Span<byte> count = stackalloc byte[ReceiptBodyLength];
            var read = TryReadReceipt(body, count);
            return read.Continues ? Acknowledge(BinaryPrimitives.ReadInt64BigEndian(count)) : read;
        }
        var opened = TryReadTransport(body, out var plaintext);
        if (opened.Continues) Deliver(plaintext!);
        return opened;
    }

    /// <summary>An R's count (8 bytes) decrypted; a close outcome for a body of another length or a bad MAC.</summary>
    internal ActionOutcome TryReadReceipt(in ReadOnlySequence<byte> body, Span<byte> count)
    {
        if (body.Length != ReceiptBodyLength + Engine.TransportOverhead) return Refused(CloseReason.MalformedPacket);
        return Engine.TryDecryptTransport(body, count) ? ActionOutcome.Continue : Refused(CloseReason.BadMac);
    }

    /// <summary>A T's message decrypted into a new array; a close outcome for a bad MAC.</summary>
    internal ActionOutcome TryReadTransport(in ReadOnlySequence<byte> body, [NotNullWhen(true)] out byte[]? plaintext)
    {
        plaintext = null;
        if (body.Length < Engine.TransportOverhead) return Refused(CloseReason.BadMac);
        var opened = new byte[body.Length - Engine.TransportOverhead];
        if (!Engine.TryDecryptTransport(body, opened)) return Refused(CloseReason.BadMac);
        plaintext = opened;
        return ActionOutcome.Continue;
    }

    /// <summary>Messages arrived since the last R: one goes in the next write turn, where receipts were negotiated.</summary>
    internal void ReceiptIfDue()
    {
        if (_receipts && _received.IsDue) RequestReceipt();
    }

    internal void Deliver(byte[] json)
    {
        _received.Count();
        var message = new PeerMessage(RemoteAgent, Id, json);
        if (_undelivered is null && _node.TryDeliver(message)) return;
        // The application's queue is full: reading waits for room before it goes on (TCP pushes back).
        (_undelivered ??= []).Add(message);
    }

    /// <summary>Messages the application's full queue did not take yet, delivered before the next packet is read.</summary>
    internal async ValueTask DeliverWaitingAsync()
    {
        while (_undelivered is { } waiting)
        {
            _undelivered = null;
            foreach (var message in waiting) await _node.DeliverAsync(message).ConfigureAwait(false);
        }
    }

    private async ValueTask<ActionOutcome?> DeliverWaitingThenAsync(ActionOutcome outcome)
    {
        await DeliverWaitingAsync().ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Completes every written message the receipt's cumulative count covers; a close outcome for a count of messages never sent.</summary>
    internal ActionOutcome Acknowledge(long count) =>
        _ledger.TryAcknowledge(count, this, static (connection, sequence, message) =>
            message.TrySetResult(new DeliveryReceipt(connection.RemoteAgent, connection.Id, sequence, DeliveryMode.Confirmed)))
            ? ActionOutcome.Continue
            : Refused(CloseReason.MalformedPacket); // the peer is broken or lying

    /// <summary>Writes an R when messages arrived since the last one (or when forced). True when it wrote one.</summary>
    private bool WriteReceipt(ConnectionWriter writer, bool force = false)
    {
        if (!_receipts || !_received.TryTake(out var count, force)) return false;
        Span<byte> plain = stackalloc byte[ReceiptBodyLength];
        BinaryPrimitives.WriteInt64BigEndian(plain, count);
        writer.Write(PeerPackets.Receipt, plain);
        return true;
    }

    /// <summary>A refusal: the outcome that closes the connection, naming the reason by its tag.</summary>
    internal static ActionOutcome Refused(CloseReason reason) => ActionOutcome.Close(reason.ToTag());
}
