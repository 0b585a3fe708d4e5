using System.CommandLine;

namespace MyChips.Peer.Commands;

/// <summary><c>mychips-peer spec</c>: prints a spec's packet table and its state machines as Mermaid or DOT, or its SPIN model.</summary>
public static class SpecCommand
{
    public enum Format { Mermaid, Dot, Promela }

    public static Command Create()
    {
        var spec = new Argument<string>("SPEC")
        {
            Description = $"A spec compiled into this build, by name or .protocol path: {string.Join(", ", SpecDocuments.All.Keys.Order())} (default mychips-peer).",
            DefaultValueFactory = _ => "mychips-peer",
        };
        var format = new Option<Format>("--format") { Description = "How to print the state machines: Mermaid (default) or Dot; or Promela, the whole spec as a SPIN model (check it with spin -a, gcc -DSAFETY, ./pan).", DefaultValueFactory = _ => Format.Mermaid };
        var command = new Command("spec", "Print a protocol spec's packet table and state machines.") { spec, format };
        command.SetAction(parse => Run(parse.GetValue(spec)!, parse.GetValue(format), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(string spec, Format format, TextWriter output, TextWriter error)
    {
        if (!SpecDocuments.TryFind(spec, out var name, out var markdown))
        {
            error.WriteLine($"spec: no spec named '{name}' in this build; known: {string.Join(", ", SpecDocuments.All.Keys.Order())}.");
            return ExitCodes.BadInput;
        }
        if (format == Format.Promela)
        {
            output.Write(SpecDocuments.Models[name]);
            return ExitCodes.Ok;
        }
        output.WriteLine($"# {name}: packets");
        foreach (var line in SpecDocuments.Section(markdown, "Packets").SkipWhile(string.IsNullOrWhiteSpace).TakeWhile(l => l.StartsWith('|')))
            output.WriteLine(line);
        foreach (var (machine, mermaid) in SpecDocuments.Machines(markdown))
        {
            output.WriteLine();
            output.WriteLine($"# {name}: machine {machine}");
            if (format == Format.Dot)
            {
                output.Write(MermaidToDot.Convert(machine, mermaid));
            }
            else
            {
                foreach (var line in mermaid) output.WriteLine(line);
            }
        }
        return ExitCodes.Ok;
    }
}
