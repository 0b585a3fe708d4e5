using System.Buffers;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Peers;

/// <summary>
/// B packets, once negotiated: the messages of one write batch sealed together as one transport message, so the
/// AEAD's fixed cost (its key setup and tag) is paid per batch instead of per message. A B holds at least two
/// messages, each a 4-byte big-endian length then its JSON, and no more than one Noise message can carry; a
/// message alone, or too large to share one, goes as a T.
/// </summary>
internal sealed partial class PeerConnection
{
    /// <summary>The largest B plaintext: one Noise transport message within this connection's frame limit.</summary>
    private int MaxBatchPlaintext => Math.Min(Options.EffectiveMaxFrameLength - 1, Noise.NoiseProfile.SpecMaxMessageLength) - Engine.TransportOverhead;

    /// <summary>The batch as B packets where two or more messages fit one, T otherwise.</summary>
    private (int Written, int Confirmed) WriteBatches(ConnectionWriter writer, List<OutgoingMessage> batch)
    {
        var (written, confirmed) = (0, 0);
        var limit = MaxBatchPlaintext;
        var start = 0;
        while (start < batch.Count)
        {
            // The longest run from start that fits one B.
            var end = start;
            var size = 0;
            while (end < batch.Count && size + LengthPrefixedEntries.SizeOf(batch[end].Json.Length) <= limit)
                size += LengthPrefixedEntries.SizeOf(batch[end++].Json.Length);
            var (runWritten, runConfirmed) = end - start < 2
                ? WriteEach(writer, batch, start, end = Math.Max(start + 1, end)) // one message, or one too large to share a B
                : WriteBatch(writer, batch, start, end, size);
            (written, confirmed) = (written + runWritten, confirmed + runConfirmed);
            start = end;
        }
        return (written, confirmed);
    }

    /// <summary>One B from batch[start..end), whose entries take <paramref name="size"/> bytes; messages taken elsewhere are left out.</summary>
    private (int Written, int Confirmed) WriteBatch(ConnectionWriter writer, List<OutgoingMessage> batch, int start, int end, int size)
    {
        var plain = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var (length, written, confirmed) = (0, 0, 0);
            for (var i = start; i < end; i++)
            {
                var message = batch[i];
                if (!message.TryTake()) continue;
                length += LengthPrefixedEntries.Write(plain.AsSpan(length), message.Json.Span);
                if (Number(message)) confirmed++;
                written++;
            }
            if (written == 0) return (0, 0);
            if (written == 1) writer.Write(PeerPackets.Transport, plain.AsSpan(LengthPrefixedEntries.HeaderLength, length - LengthPrefixedEntries.HeaderLength));
            else writer.Write(PeerPackets.Batch, plain.AsSpan(0, length));
            return (written, confirmed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>A received B: decrypted once, then each of its messages delivered as a T's would be.</summary>
    private ActionOutcome ReadBatch(in ReadOnlySequence<byte> body)
    {
        // Never negotiated: a peer that sends it anyway breaks the protocol.
        if (!_batches) return Refused(CloseReason.PacketNotAllowed);
        var length = (int)body.Length - Engine.TransportOverhead;
        if (length < 0) return Refused(CloseReason.BadMac);
        var plain = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!Engine.TryDecryptTransport(body, plain.AsSpan(0, length))) return Refused(CloseReason.BadMac);
            if (!LengthPrefixedEntries.TrySplit(plain.AsSpan(0, length), minimum: 2, out var messages)) return Refused(CloseReason.MalformedPacket);
            foreach (var message in messages) Deliver(message);
            return ActionOutcome.Continue;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }
}
