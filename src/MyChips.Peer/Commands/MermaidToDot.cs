using System.Text;

namespace MyChips.Peer.Commands;

/// <summary>
/// Turns the generator's Mermaid state diagrams (<c>A --> B : label</c>, <c>[*] --> A</c>) into Graphviz DOT,
/// with the start and end pseudo-states as small filled circles.
/// </summary>
public static class MermaidToDot
{
    public static string Convert(string name, IEnumerable<string> mermaid)
    {
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(name).AppendLine(" {");
        dot.AppendLine("    rankdir=LR;");
        dot.AppendLine("    node [shape=box, style=rounded];");
        var usesStart = false;
        var usesEnd = false;
        var edges = new StringBuilder();
        foreach (var raw in mermaid)
        {
            var line = raw.Trim();
            var arrow = line.IndexOf("-->", StringComparison.Ordinal);
            if (arrow < 0) continue;
            var from = line[..arrow].Trim();
            var rest = line[(arrow + 3)..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            var to = (colon < 0 ? rest : rest[..colon]).Trim();
            var label = colon < 0 ? null : rest[(colon + 1)..].Trim();
            if (from == "[*]") { from = "__start"; usesStart = true; }
            if (to == "[*]") { to = "__end"; usesEnd = true; }
            edges.Append("    ").Append(Quote(from)).Append(" -> ").Append(Quote(to));
            if (!string.IsNullOrEmpty(label)) edges.Append(" [label=").Append(Quote(label)).Append(']');
            edges.AppendLine(";");
        }
        if (usesStart) dot.AppendLine("    \"__start\" [shape=circle, style=filled, fillcolor=black, label=\"\", width=0.2];");
        if (usesEnd) dot.AppendLine("    \"__end\" [shape=doublecircle, style=filled, fillcolor=black, label=\"\", width=0.15];");
        dot.Append(edges);
        dot.AppendLine("}");
        return dot.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
