using System.CommandLine;
using System.CommandLine.Help;

namespace MyChips.Peer.Commands;

/// <summary>Parses and invokes a command line with the given writers; parse errors exit with <see cref="ExitCodes.BadInput"/>.</summary>
public static class CommandLineRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync(e.Message);
            var command = parse.CommandResult.Command;
            await error.WriteLineAsync(command == root ? "Try 'mychips-peer --help'." : $"Try 'mychips-peer {command.Name} --help'.");
            return ExitCodes.BadInput;
        }
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await parse.InvokeAsync(configuration, cancellationToken);
    }
}
