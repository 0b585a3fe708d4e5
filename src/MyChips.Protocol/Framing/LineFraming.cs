using System.Buffers;
using System.Text;

namespace MyChips.Protocol.Framing;

/// <summary>
/// Text lines ending in CRLF, for protocols whose spec says <c>framing line</c> (CIYAM's peer protocol among
/// them). Reading allocates nothing: the line is a slice of the buffer. The maximum is checked against what is
/// buffered before waiting for more, so a peer that never ends its line cannot make the reader hold more than
/// the maximum plus one read.
/// </summary>
public static class LineFraming
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    /// <summary>
    /// Reads one line of at most <paramref name="maxLineLength"/> bytes (terminator not counted). On
    /// <see cref="LineReadStatus.Complete"/> the buffer is advanced past the line and its CRLF; otherwise it is
    /// left as it was. With <paramref name="acceptBareLineFeed"/>, a lone LF also ends a line (interactive
    /// clients such as telnet or netcat send one).
    /// </summary>
    /// <param name="line">A slice of <paramref name="buffer"/>: use it before the reader advances.</param>
    public static LineReadStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxLineLength, out ReadOnlySequence<byte> line,
        bool acceptBareLineFeed = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 1);
        line = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> upToFeed, (byte)'\n', advancePastDelimiter: true))
            return buffer.Length > maxLineLength + 1 ? LineReadStatus.TooLong : LineReadStatus.NeedMoreData;
        var content = upToFeed;
        if (content.Length > 0 && EndsWithReturn(content)) content = content.Slice(0, content.Length - 1);
        else if (!acceptBareLineFeed) return LineReadStatus.BareLineFeed;
        if (content.Length > maxLineLength) return LineReadStatus.TooLong;
        line = content;
        buffer = buffer.Slice(reader.Position);
        return LineReadStatus.Complete;
    }

    /// <summary>Writes <paramref name="text"/> as one line: its UTF-8 bytes, then CRLF. A line break inside is refused.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (text.IndexOfAny('\r', '\n') >= 0) throw new ArgumentException("A line cannot hold a line break.", nameof(text));
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) + CrLf.Length);
        var written = Encoding.UTF8.GetBytes(text, span);
        CrLf.CopyTo(span[written..]);
        output.Advance(written + CrLf.Length);
    }

    private static bool EndsWithReturn(ReadOnlySequence<byte> content)
    {
        var last = content.Slice(content.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
