using System.Text;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Tests.Wire;

/// <summary>
/// Golden files of bytes on the wire, as hex dumps under Wire/Golden/: any change to the wire
/// format shows up as a diff of <c>name.verified.txt</c> in review.
/// </summary>
public static class WireGolden
{
    public static void Verify(string name, ReadOnlySpan<byte> bytes, string? title = null) =>
        GoldenFile.VerifyAt(
            Path.Combine(RepositoryPaths.Root, "tests", "MyChips.Protocol.Tests", "Wire", "Golden"),
            name,
            "txt",
            HexDump(bytes, title ?? name));

    /// <summary>16 bytes a line: offset, hex, and the printable ASCII.</summary>
    public static string HexDump(ReadOnlySpan<byte> bytes, string title)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append(", ").Append(bytes.Length).Append(" bytes\n");
        for (var offset = 0; offset < bytes.Length; offset += 16)
        {
            var line = bytes.Slice(offset, Math.Min(16, bytes.Length - offset));
            text.Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
            for (var i = 0; i < 16; i++)
                text.Append(i < line.Length ? " " + line[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "   ");
            text.Append("  |");
            foreach (var b in line)
                text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            text.Append("|\n");
        }
        return text.ToString();
    }
}
