using System.Buffers;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.Framing;

/// <summary>The protocol-neutral length-prefixed framing every such spec's codec builds on.</summary>
public sealed class LengthPrefixedFramingTests
{
    private readonly struct LettersAtoC : IFrameTypeSet
    {
        public static bool IsKnown(byte type) => type is (byte)'A' or (byte)'B' or (byte)'C';
    }

    [Fact]
    public void Writes_and_reads_back_a_frame_of_any_type_the_set_knows()
    {
        var wire = new ArrayBufferWriter<byte>();
        LengthPrefixedFraming.Begin(wire, (byte)'B', 3).Fill(7);
        LengthPrefixedFraming.Complete(wire, 3);
        Assert.Equal(new byte[] { 0, 0, 0, 4, (byte)'B', 7, 7, 7 }, wire.WrittenSpan.ToArray());

        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory);
        Assert.Equal(LengthPrefixedReadStatus.Complete, LengthPrefixedFraming.TryRead<LettersAtoC>(ref buffer, 16, out var type, out var body));
        Assert.Equal((byte)'B', type);
        Assert.Equal(new byte[] { 7, 7, 7 }, body.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Refuses_an_unknown_type_or_an_over_long_length_before_the_body_arrives_and_consumes_nothing()
    {
        var unknown = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 9, (byte)'Z' });
        Assert.Equal(LengthPrefixedReadStatus.UnknownType, LengthPrefixedFraming.TryRead<LettersAtoC>(ref unknown, 16, out _, out _));
        Assert.Equal(5, unknown.Length);

        var tooLong = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 17 });
        Assert.Equal(LengthPrefixedReadStatus.TooLarge, LengthPrefixedFraming.TryRead<LettersAtoC>(ref tooLong, 16, out _, out _));
        Assert.Equal(4, tooLong.Length);
        Assert.False(LengthPrefixedFraming.TrySkip(ref tooLong, 16));
    }

    [Fact]
    public void Waits_for_the_whole_frame_then_skips_it_whatever_its_type()
    {
        var partial = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 3, (byte)'A', 1 });
        Assert.Equal(LengthPrefixedReadStatus.NeedMoreData, LengthPrefixedFraming.TryRead<LettersAtoC>(ref partial, 16, out _, out _));
        Assert.False(LengthPrefixedFraming.TrySkip(ref partial, 16));
        Assert.Equal(6, partial.Length);

        var unknownWhole = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 2, (byte)'Z', 1, 0, 0, 0, 0 });
        Assert.True(LengthPrefixedFraming.TrySkip(ref unknownWhole, 16));
        Assert.Equal(LengthPrefixedReadStatus.Empty, LengthPrefixedFraming.TryRead<LettersAtoC>(ref unknownWhole, 16, out _, out _));
        Assert.True(unknownWhole.IsEmpty);
    }
}
