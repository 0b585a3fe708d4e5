using MyChips.Protocol.Testing;
using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>The frame decoder on arbitrary bytes, split at arbitrary points: never throws, and says the same whatever the split.</summary>
[Trait("Category", FuzzBudget.Category)]
public class FrameCodecFuzzTests
{
    // Mostly small inputs, some starting with a plausible header so bodies get decoded too.
    private static readonly Gen<byte[]> Bytes = Gen.OneOf(
        Gen.Byte.Array[0, 64],
        Gen.Select(Gen.UInt[0, 80], Gen.Byte, Gen.Byte.Array[0, 100], (length, type, rest) =>
        {
            var bytes = new byte[5 + rest.Length];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
            bytes[4] = type;
            rest.CopyTo(bytes, 5);
            return bytes;
        }));

    private static List<string> ReadAll(ReadOnlySequence<byte> buffer, int max)
    {
        var seen = new List<string>();
        while (true)
        {
            var before = buffer.Length;
            var status = FrameCodec.TryReadFrame(ref buffer, out var frame, max);
            if (status != FrameReadStatus.Complete)
            {
                // An empty frame is consumed (its 4-byte length); a refusal or a wait consumes nothing.
                Assert.Equal(status == FrameReadStatus.Empty ? before - 4 : before, buffer.Length);
                seen.Add(status.ToString());
                return seen;
            }
            Assert.Equal(before - FrameCodec.HeaderLength - frame.Body.Length, buffer.Length);
            Assert.True(frame.Body.Length + 1 <= max);
            Assert.True(PacketTypes.TryFromTypeByte((byte)frame.Type, out _));
            seen.Add($"{frame.Type}:{Convert.ToHexString(frame.Body.ToArray())}");
        }
    }

    [Fact]
    public void Arbitrary_bytes_decode_the_same_in_one_segment_or_many() =>
        FuzzBudget.Run(Gen.Select(Bytes, Gen.Int[1, 8], Gen.Int[16, 200]), t =>
        {
            var (bytes, pieces, max) = t;
            var whole = ReadAll(new ReadOnlySequence<byte>(bytes), max);
            var split = ReadAll(Segments.Of(Split(bytes, pieces)), max);
            Assert.Equal(whole, split);
        }, 20_000);

    [Fact]
    public void Frames_written_by_the_codec_read_back_unchanged() =>
        FuzzBudget.Run(Gen.Select(Gen.Int[0, PacketTypes.All.Count - 1], Gen.Byte.Array[0, 300]).Array[1, 6], frames =>
        {
            var writer = new ArrayBufferWriter<byte>();
            foreach (var (type, body) in frames) FrameCodec.WriteFrame(writer, PacketTypes.All[type], body);
            var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
            foreach (var (type, body) in frames)
            {
                Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var frame, 400));
                Assert.Equal(PacketTypes.All[type], frame.Type);
                Assert.Equal(body, frame.Body.ToArray());
            }
            Assert.Equal(0, buffer.Length);
        }, 5_000);

    [Fact]
    public void Skipping_arbitrary_bytes_never_throws_and_never_overruns() =>
        FuzzBudget.Run(Bytes, bytes =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (buffer.Length > 0)
            {
                var before = buffer.Length;
                if (!FrameCodec.TrySkipFrame(ref buffer, 200)) break;
                Assert.True(buffer.Length < before);
            }
        }, 20_000);

    private static byte[][] Split(byte[] bytes, int pieces)
    {
        var parts = new List<byte[]>();
        var size = Math.Max(1, bytes.Length / pieces);
        for (var i = 0; i < bytes.Length; i += size) parts.Add(bytes[i..Math.Min(bytes.Length, i + size)]);
        if (parts.Count == 0) parts.Add([]);
        return [.. parts];
    }
}
