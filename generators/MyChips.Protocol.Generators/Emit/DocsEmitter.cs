using System.Linq;
using System.Text;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// Emits the protocol's Markdown page (packet table, bodies, one Mermaid diagram per machine) as a
/// C# constant: a generator cannot write files, so a test keeps the copy under docs/ in sync with it.
/// </summary>
internal static class DocsEmitter
{
    public static string Emit(ProtocolModel protocol)
    {
        var markdown = Markdown(protocol);
        var w = new CodeWriter();
        w.Header(protocol.Namespace);
        w.Summary($"The Markdown page of {protocol.Title}, generated from its spec.");
        w.Generated().Open($"public static partial class {protocol.Name}Document");
        w.Summary("The page's file name under docs/protocols/.");
        w.Line($"public const string FileName = {CodeWriter.Literal(protocol.FileName + ".md")};");
        w.Line();
        w.Line("public const string Markdown = @\"" + markdown.Replace("\"", "\"\"") + "\";");
        w.Line();
        w.Summary("The spec as a SPIN model: its machines over a hostile network, its properties as assertions (docs/model-checking.md).");
        w.Line("public const string Promela = @\"" + PromelaEmitter.Emit(protocol).Replace("\"", "\"\"") + "\";");
        w.Close();
        return w.Finish();
    }

    public static string Markdown(ProtocolModel protocol)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# {protocol.Title}");
        Line();
        Line($"Generated from `spec/{protocol.FileName}.protocol` by the MyChips.Protocol generator: edit the spec, not this page.");
        Line();
        Line("## Framing");
        Line();
        Line(protocol.Framing == FramingKind.LengthPrefixed
            ? $"A 4-byte big-endian length, then a type byte, then the body; the length counts the type byte and the body and is at most {protocol.MaxFrameLength} bytes."
            : $"One text line per packet: the command word, a space and the body, ending in CRLF; at most {protocol.MaxFrameLength} bytes.");
        Line();
        Line("## Packets");
        Line();
        Line("| packet | type | sender | Noise | body | meaning |");
        Line("|---|---|---|---|---|---|");
        foreach (var p in protocol.Packets)
        {
            var noise = p.Stage switch
            {
                NoiseStage.Handshake => $"{string.Join(" or ", p.NoisePatterns)} message {p.MessageIndex}",
                NoiseStage.Transport => "transport",
                _ => "none",
            };
            Line($"| {p.Name} | `{p.Keyword}` | {string.Join(" or ", p.Senders).ToLowerInvariant()} | {noise} | {(p.Body.Length == 0 ? "empty" : p.Body)} | {Cell(p.Description)} |");
        }
        Line();
        if (protocol.Bodies.Count > 0)
        {
            Line("## Bodies");
            Line();
            Line("| body | encoding | fields | meaning |");
            Line("|---|---|---|---|");
            foreach (var b in protocol.Bodies)
            {
                var fields = b.Fields.Count == 0 ? "" : string.Join(", ", b.Fields.Select(f => $"`{f.Name}: {f.Type}{(f.Optional ? "?" : "")}`"));
                Line($"| {b.Name} | {Encoding(b.Encoding)} | {fields} | {Cell(b.Description)} |");
            }
            Line();
        }

        foreach (var m in protocol.Machines)
        {
            Line($"## Machine {m.Name} (role {m.Role.ToLowerInvariant()})");
            Line();
            Line("```mermaid");
            Line("stateDiagram-v2");
            Line($"    [*] --> {m.States.First(s => s.Initial).Name}");
            foreach (var t in m.Transitions)
            {
                var label = Label(m, t);
                Line($"    {t.From} --> {t.To} : {label}");
            }
            foreach (var s in m.States.Where(s => s.Final))
                Line($"    {s.Name} --> [*]");
            Line("```");
            Line();
            Line("| state | meaning |");
            Line("|---|---|");
            foreach (var s in m.States)
            {
                var kind = s.Initial ? "Initial. " : s.Final ? "Final. " : "";
                Line($"| {s.Name} | {Cell(kind + s.Description).Trim()} |");
            }
            Line();
            if (m.Timeouts.Count > 0)
            {
                Line("| timeout | duration | runs in |");
                Line("|---|---|---|");
                foreach (var timeout in m.Timeouts)
                {
                    var states = m.Transitions.Where(t => t.Trigger == timeout.Name + "TimedOut").Select(t => t.From);
                    Line($"| {timeout.Name} | {timeout.Milliseconds} ms | {string.Join(", ", states)} |");
                }
                Line();
            }
        }
        if (protocol.Properties.Count > 0)
        {
            Line("## Properties");
            Line();
            Line("Checked with SPIN on every build, over a network that loses, duplicates, reorders and replays packets (docs/model-checking.md).");
            Line();
            Line("| property | claim | meaning |");
            Line("|---|---|---|");
            foreach (var p in protocol.Properties)
                Line($"| {p.Name} | {Cell(Claim(p))} | {Cell(p.Description)} |");
            Line();
        }
        return md.ToString();
    }

    private static string Claim(PropertyModel p) => p.Kind switch
    {
        PropertyKind.ReachesAfter => $"{p.Machine} reaches {p.States[0]} after {string.Join(" or ", p.Packets)}",
        PropertyKind.AtMost => $"{p.Machine} receives {p.Packets[0]} at most {p.Count}",
        PropertyKind.Before => $"{p.Machine} receives {p.Packets[0]} before {string.Join(", ", p.Packets.Skip(1))}",
        PropertyKind.Alternates => $"{p.Machine} alternates {p.Packets[0]}, {p.Packets[1]}",
        _ => $"{p.Machine} ends in {string.Join(", ", p.States)}",
    };

    private static string Label(MachineModel machine, TransitionModel t)
    {
        var trigger = machine.Triggers.First(x => x.Name == t.Trigger);
        var label = trigger.Kind switch
        {
            TriggerKind.Receive => "receive " + trigger.Source,
            TriggerKind.Timeout => "timeout " + trigger.Source,
            _ => trigger.Source,
        };
        if (t.Guard.Length > 0)
            label += $" [{t.Guard}]";
        if (t.Actions.Count > 0)
            label += " / " + string.Join(", ", t.Actions);
        return label;
    }

    private static string Encoding(BodyEncoding encoding) => encoding switch
    {
        BodyEncoding.Empty => "empty",
        BodyEncoding.Raw => "raw bytes",
        BodyEncoding.Text => "UTF-8 text",
        BodyEncoding.JsonString => "JSON string",
        BodyEncoding.JsonValue => "JSON value",
        BodyEncoding.JsonObject => "JSON object",
        BodyEncoding.JsonRecord => "JSON record",
        _ => "MessagePack array",
    };

    private static string Cell(string text) => text.Replace("|", "\\|");
}
