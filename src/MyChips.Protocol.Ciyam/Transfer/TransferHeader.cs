using System.Globalization;

namespace MyChips.Protocol.Ciyam.Transfer;

/// <summary>
/// The first line of a file transfer after <c>get</c> or <c>put</c>: <c>&lt;size&gt;:&lt;chunk&gt;.b64</c>, optionally
/// <c>#&lt;extra&gt;</c>, and for a small file the content itself after <c>!</c>: the type byte in two hex digits, then
/// the payload in base64. Larger files follow in <c>.</c>-padded base64 chunks of <c>chunk</c> characters.
/// </summary>
public sealed record TransferHeader(long Size, int Chunk, string? Extra = null, byte[]? Inline = null)
{
    /// <summary>The largest chunk CIYAM accepts.</summary>
    public const int MaxChunk = 100_000;

    /// <summary>Header and file together up to this many bytes ride on one line.</summary>
    public const int MaxInlineLine = 1_000;

    private const string Format = ".b64";

    /// <summary>The header for sending <paramref name="stored"/>: inline when the whole line stays within <see cref="MaxInlineLine"/>.</summary>
    public static TransferHeader For(ReadOnlySpan<byte> stored, int chunk)
    {
        if (stored.IsEmpty) throw new ArgumentException("A stored file holds at least its type byte.", nameof(stored));
        if (chunk is < 4 or > MaxChunk || chunk % 4 != 0) throw new ArgumentOutOfRangeException(nameof(chunk), $"A chunk is a multiple of 4 characters, at most {MaxChunk}.");
        var header = new TransferHeader(stored.Length, chunk);
        var inline = header with { Inline = stored.ToArray() };
        return inline.ToLine().Length <= MaxInlineLine ? inline : header;
    }

    public string ToLine()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{Size}:{Chunk}{Format}");
        if (Extra is not null) line += "#" + Extra;
        if (Inline is { Length: > 0 } stored) line += "!" + Convert.ToHexStringLower(stored.AsSpan(0, 1)) + Convert.ToBase64String(stored.AsSpan(1));
        return line;
    }

    /// <summary>Reads a header line; false (and a reason) for anything malformed, oversized or inconsistent.</summary>
    public static bool TryParse(string line, int maxFileBytes, out TransferHeader? header, out string problem)
    {
        header = null;
        problem = "";
        ArgumentNullException.ThrowIfNull(line);
        var inlineAt = line.IndexOf('!', StringComparison.Ordinal);
        var head = inlineAt < 0 ? line : line[..inlineAt];
        var extraAt = head.IndexOf('#', StringComparison.Ordinal);
        var extra = extraAt < 0 ? null : head[(extraAt + 1)..];
        if (extraAt >= 0) head = head[..extraAt];
        var colon = head.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !head.EndsWith(Format, StringComparison.Ordinal)
            || !long.TryParse(head.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !int.TryParse(head.AsSpan(colon + 1, head.Length - colon - 1 - Format.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var chunk))
        {
            problem = "not a transfer header (<size>:<chunk>.b64)";
            return false;
        }
        if (size < 1 || size > maxFileBytes)
        {
            problem = $"size {size} is outside 1 to {maxFileBytes} bytes";
            return false;
        }
        if (chunk < 4 || chunk > MaxChunk || chunk % 4 != 0)
        {
            problem = $"chunk {chunk} is not a multiple of 4 from 4 to {MaxChunk}";
            return false;
        }
        byte[]? inline = null;
        if (inlineAt >= 0 && !TryReadInline(line.AsSpan(inlineAt + 1), size, out inline, out problem)) return false;
        header = new TransferHeader(size, chunk, extra, inline);
        return true;
    }

    private static bool TryReadInline(ReadOnlySpan<char> text, long size, out byte[]? stored, out string problem)
    {
        stored = null;
        problem = "";
        if (text.Length < 2 || !byte.TryParse(text[..2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var type))
        {
            problem = "an inline file starts with its type byte in two hex digits";
            return false;
        }
        var payload = new byte[text.Length];
        if (!Convert.TryFromBase64Chars(text[2..], payload, out var written) || 1 + written != size)
        {
            problem = "the inline file is not base64 of the announced size";
            return false;
        }
        stored = [type, .. payload.AsSpan(0, written)];
        return true;
    }
}
