using System.Buffers;
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
    private int MaxBatchPlaintext => Math.Min(Options.EffectiveMaxFrameLength - 1, Noise.NoiseProfile.SpecMaxMessageLength) - _noise.TransportOverhead;

    /// <summary>Under the write lock: the batch as B packets where two or more messages fit one, T otherwise.</summary>
    private (int Written, int Confirmed) WriteBatches(List<OutgoingMessage> batch)
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
            if (end - start < 2)
            {
                var next = Math.Max(start + 1, end); // one message, or one too large to share a B
                var (one, oneConfirmed) = WriteEach(batch, start, next);
                (written, confirmed) = (written + one, confirmed + oneConfirmed);
                start = next;
                continue;
            }
            var (sealedCount, sealedConfirmed) = WriteBatch(batch, start, end, size);
            (written, confirmed) = (written + sealedCount, confirmed + sealedConfirmed);
            start = end;
        }
        return (written, confirmed);
    }

    /// <summary>One B from batch[start..end), whose entries take <paramref name="size"/> bytes; messages taken elsewhere are left out.</summary>
    private (int Written, int Confirmed) WriteBatch(List<OutgoingMessage> batch, int start, int end, int size)
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
            var type = written == 1 ? PacketType.Transport : PacketType.Batch;
            var payload = written == 1 ? plain.AsSpan(LengthPrefixedEntries.HeaderLength, length - LengthPrefixedEntries.HeaderLength) : plain.AsSpan(0, length);
            var body = FrameCodec.BeginFrame(_output, type, payload.Length + _noise.TransportOverhead);
            CompleteFrame(_output, type, _noise.EncryptTransport(payload, body));
            return (written, confirmed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>A received B: decrypted once, then each of its messages delivered as a T's would be. False when it closed the connection.</summary>
    private bool HandleBatch(ReadOnlySequence<byte> body)
    {
        if (!_batches)
        {
            Close(CloseReason.PacketNotAllowed); // never negotiated: a peer that sends it anyway breaks the protocol
            return false;
        }
        var length = (int)body.Length - _noise.TransportOverhead;
        if (length < 0)
        {
            Close(CloseReason.BadMac);
            return false;
        }
        var plain = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!_noise.TryDecryptTransport(body, plain.AsSpan(0, length)))
            {
                Close(CloseReason.BadMac);
                return false;
            }
            if (!LengthPrefixedEntries.TrySplit(plain.AsSpan(0, length), minimum: 2, out var messages))
            {
                Close(CloseReason.MalformedPacket);
                return false;
            }
            foreach (var message in messages) Deliver(message);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }
}
