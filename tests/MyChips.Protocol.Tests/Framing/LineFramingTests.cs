using MyChips.Protocol.Testing;
using System.Buffers;
using System.Text;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.Framing;

/// <summary>CRLF lines, as CIYAM's peer protocol frames its commands and replies.</summary>
public class LineFramingTests
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(ReadOnlySequence<byte> line) => Encoding.UTF8.GetString(line);

    [Fact]
    public void Lines_are_read_one_at_a_time_without_their_terminator()
    {
        var buffer = new ReadOnlySequence<byte>(Ascii("chk hello\r\n(not found)\r\n\r\nput"));

        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref buffer, 500, out var first));
        Assert.Equal("chk hello", Text(first));
        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref buffer, 500, out var second));
        Assert.Equal("(not found)", Text(second));
        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref buffer, 500, out var empty));
        Assert.Equal("", Text(empty));
        Assert.Equal(LineReadStatus.NeedMoreData, LineFraming.TryRead(ref buffer, 500, out _));
        Assert.Equal("put", Text(buffer));
    }

    [Fact]
    public void A_line_split_across_segments_and_between_CR_and_LF_is_read_whole()
    {
        var buffer = Segments.Of(Ascii("get cceeb7"), Ascii("a985\r"), Ascii("\nbye\r\n"));

        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref buffer, 500, out var line));
        Assert.Equal("get cceeb7a985", Text(line));
        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref buffer, 500, out var bye));
        Assert.Equal("bye", Text(bye));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_line_over_the_maximum_is_refused_before_its_end_arrives_and_after()
    {
        var unended = new ReadOnlySequence<byte>(Ascii(new string('x', 12)));
        var ended = new ReadOnlySequence<byte>(Ascii(new string('x', 11) + "\r\n"));
        var justFits = new ReadOnlySequence<byte>(Ascii(new string('x', 10) + "\r"));

        Assert.Equal(LineReadStatus.TooLong, LineFraming.TryRead(ref unended, 10, out _));
        Assert.Equal(LineReadStatus.TooLong, LineFraming.TryRead(ref ended, 10, out _));
        Assert.Equal(LineReadStatus.NeedMoreData, LineFraming.TryRead(ref justFits, 10, out _));
        Assert.Equal(12, unended.Length); // a refused buffer is left as it was
    }

    [Fact]
    public void A_bare_line_feed_is_refused_unless_interactive_clients_are_allowed()
    {
        var strict = new ReadOnlySequence<byte>(Ascii("?\n"));
        var interactive = new ReadOnlySequence<byte>(Ascii("?\n"));

        Assert.Equal(LineReadStatus.BareLineFeed, LineFraming.TryRead(ref strict, 500, out _));
        Assert.Equal(LineReadStatus.Complete, LineFraming.TryRead(ref interactive, 500, out var line, acceptBareLineFeed: true));
        Assert.Equal("?", Text(line));
    }

    [Fact]
    public void Writing_adds_CRLF_and_refuses_a_line_break_inside()
    {
        var output = new ArrayBufferWriter<byte>();

        LineFraming.Write(output, "(okay more)");

        Assert.Equal("(okay more)\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.Throws<ArgumentException>(() => LineFraming.Write(output, "put x\r\nbye"));
    }
}
