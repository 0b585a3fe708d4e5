using MyChips.Protocol.Ciyam;
using MyChips.Protocol.Overlay.Wire;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>
/// The generated Markdown pages of the specs compiled into this build (spec/*.protocol), and the parts the
/// <c>spec</c> command prints: the packet table and each state machine's Mermaid diagram.
/// </summary>
public static class SpecDocuments
{
    /// <summary>Spec name (the .protocol file's name without extension) to its generated page.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [Path.GetFileNameWithoutExtension(MyChipsPeerDocument.FileName)] = MyChipsPeerDocument.Markdown,
        [Path.GetFileNameWithoutExtension(CiyamPeerDocument.FileName)] = CiyamPeerDocument.Markdown,
        [Path.GetFileNameWithoutExtension(OverlayDocument.FileName)] = OverlayDocument.Markdown,
    };

    /// <summary>Spec name to its generated SPIN model (docs/model-checking.md).</summary>
    public static IReadOnlyDictionary<string, string> Models { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [Path.GetFileNameWithoutExtension(MyChipsPeerDocument.FileName)] = MyChipsPeerDocument.Promela,
        [Path.GetFileNameWithoutExtension(CiyamPeerDocument.FileName)] = CiyamPeerDocument.Promela,
        [Path.GetFileNameWithoutExtension(OverlayDocument.FileName)] = OverlayDocument.Promela,
    };

    /// <summary>A spec by name or by the path of its .protocol file.</summary>
    public static bool TryFind(string nameOrPath, out string name, out string markdown)
    {
        name = Path.GetFileNameWithoutExtension(nameOrPath);
        return All.TryGetValue(name, out markdown!);
    }

    /// <summary>The lines of one level-2 section ("## Packets"), heading excluded.</summary>
    public static IReadOnlyList<string> Section(string markdown, string heading) =>
        Sections(markdown).FirstOrDefault(s => s.Heading == heading).Lines ?? [];

    /// <summary>Each "## Machine NAME" section's name and the lines of its Mermaid diagram.</summary>
    public static IEnumerable<(string Name, IReadOnlyList<string> Mermaid)> Machines(string markdown)
    {
        foreach (var (heading, lines) in Sections(markdown))
        {
            if (!heading.StartsWith("Machine ", StringComparison.Ordinal)) continue;
            var name = heading["Machine ".Length..].Split(' ')[0];
            var start = lines.ToList().FindIndex(l => l.StartsWith("```mermaid", StringComparison.Ordinal));
            if (start < 0) continue;
            var diagram = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).ToList();
            yield return (name, diagram);
        }
    }

    private static IEnumerable<(string Heading, IReadOnlyList<string> Lines)> Sections(string markdown)
    {
        string? heading = null;
        var lines = new List<string>();
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                if (heading is not null) yield return (heading, lines);
                heading = line[3..].Trim();
                lines = [];
            }
            else if (heading is not null)
            {
                lines.Add(line.TrimEnd('\r'));
            }
        }
        if (heading is not null) yield return (heading, lines);
    }
}
