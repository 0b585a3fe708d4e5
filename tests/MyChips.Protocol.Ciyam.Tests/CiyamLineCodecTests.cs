using MyChips.Protocol.Testing;
using System.Buffers;
using System.Text;
using MyChips.Protocol.Ciyam;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Ciyam.Tests;

/// <summary>The generated codec of the CIYAM spec's line framing: "command arguments\n".</summary>
public sealed class CiyamLineCodecTests
{
    [Fact]
    public void Commands_come_from_the_spec()
    {
        Assert.Equal(new[] { "chk", "get", "put", "pip", "tls", "bye", "?", "(okay)", "(okay more)", "(okay skip)", "(not found)", "*" }, PacketTypes.All.Select(p => p.GetInfo().Keyword));
        Assert.Equal(1100, FrameCodec.MaxFrameLength);
        Assert.True(PacketTypes.TryFromKeyword("pip"u8, out var pip));
        Assert.Equal(PacketType.Pip, pip);
        Assert.False(PacketTypes.TryFromKeyword("PIP"u8, out _));
    }

    [Fact]
    public void A_command_round_trips_through_a_line()
    {
        var wire = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(wire, PacketType.Check, ArgumentsCodec.ToBytes("bc.da667b8c4 12345"));
        FrameCodec.WriteFrame(wire, PacketType.Bye, default);
        Assert.Equal("chk bc.da667b8c4 12345\r\nbye\r\n", Encoding.UTF8.GetString(wire.WrittenSpan));

        var buffer = new ReadOnlySequence<byte>(wire.WrittenMemory);
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var check));
        Assert.Equal(PacketType.Check, check.Type);
        Assert.True(ArgumentsCodec.TryDecode(check.Body, out var arguments));
        Assert.Equal("bc.da667b8c4 12345", arguments);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var bye));
        Assert.Equal(PacketType.Bye, bye.Type);
        Assert.True(bye.Body.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_carriage_return_before_the_line_end_is_dropped()
    {
        var buffer = new ReadOnlySequence<byte>("put cceeb7\r\n"u8.ToArray());

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var put));
        Assert.Equal("cceeb7", Encoding.UTF8.GetString(put.Body.ToArray()));
    }

    [Fact]
    public void A_line_split_across_segments_is_read_whole()
    {
        var bytes = "get abc\n"u8.ToArray();
        for (var split = 1; split < bytes.Length; split++)
        {
            var buffer = Segments.Of(bytes[..split], bytes[split..]);

            Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var get));
            Assert.Equal(PacketType.Get, get.Type);
            Assert.Equal("abc", Encoding.UTF8.GetString(get.Body.ToArray()));
        }
    }

    [Fact]
    public void Incomplete_unknown_empty_and_endless_lines_are_reported()
    {
        var partial = new ReadOnlySequence<byte>("chk abc"u8.ToArray());
        Assert.Equal(FrameReadStatus.NeedMoreData, FrameCodec.TryReadFrame(ref partial, out _));
        Assert.Equal(7, partial.Length);

        var unknown = new ReadOnlySequence<byte>("rm -rf\n"u8.ToArray());
        Assert.Equal(FrameReadStatus.UnknownType, FrameCodec.TryReadFrame(ref unknown, out _));

        var tooLongWord = new ReadOnlySequence<byte>("checkout\n"u8.ToArray());
        Assert.Equal(FrameReadStatus.UnknownType, FrameCodec.TryReadFrame(ref tooLongWord, out _));

        var empty = new ReadOnlySequence<byte>("\r\nbye\n"u8.ToArray());
        Assert.Equal(FrameReadStatus.Empty, FrameCodec.TryReadFrame(ref empty, out _));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref empty, out _));

        var endless = new ReadOnlySequence<byte>(new byte[FrameCodec.MaxFrameLength + 1]);
        Assert.Equal(FrameReadStatus.TooLarge, FrameCodec.TryReadFrame(ref endless, out _));

        var lowerLimit = new ReadOnlySequence<byte>("chk 0123456789\n"u8.ToArray());
        Assert.Equal(FrameReadStatus.TooLarge, FrameCodec.TryReadFrame(ref lowerLimit, out _, maxFrameLength: 8));
    }

    [Fact]
    public void An_unknown_command_line_can_be_skipped()
    {
        var buffer = new ReadOnlySequence<byte>("rm -rf\nbye\n"u8.ToArray());

        Assert.True(FrameCodec.TrySkipFrame(ref buffer));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, out var bye));
        Assert.Equal(PacketType.Bye, bye.Type);
        Assert.False(FrameCodec.TrySkipFrame(ref buffer));
    }

    [Fact]
    public void A_body_holding_a_line_end_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FrameCodec.WriteFrame(new ArrayBufferWriter<byte>(), PacketType.Put, "a\nbye"u8));
    }

    [Fact]
    public void Invalid_utf8_arguments_do_not_decode()
    {
        Assert.False(ArgumentsCodec.TryDecode(new byte[] { 0xC3, 0x28 }, out var value));
        Assert.Null(value);
    }
}
