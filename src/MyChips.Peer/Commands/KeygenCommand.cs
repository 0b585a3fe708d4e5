using System.CommandLine;
using MyChips.Protocol.Keys;

namespace MyChips.Peer.Commands;

/// <summary><c>mychips-peer keygen</c>: writes a MyCHIPs agent key file and prints the new agent id.</summary>
public static class KeygenCommand
{
    public sealed record Settings(string Host, int Port, FileInfo? Out, bool Force);

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "The host other sites reach this one at (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var port = new Option<int>("--port") { Description = "The port this site listens on (default 65430).", DefaultValueFactory = _ => 65430, CustomParser = r => OptionParsers.IntInRange(r, 0, 65535, 65430), HelpName = "PORT" };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Where to write the key file (default ./AGENT.agk).", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var command = new Command("keygen", "Write a new MyCHIPs agent key file (Ed25519 JWK with host and port) and print its agent id.")
        {
            host, port, output, force,
        };
        command.SetAction(parse => Run(
            new Settings(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(output), parse.GetValue(force)),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(Settings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            error.WriteLine("keygen: --host is empty.");
            return ExitCodes.BadInput;
        }
        using var key = AgentKey.Generate(settings.Host, settings.Port);
        var path = settings.Out?.FullName ?? Path.GetFullPath($"{key.Agent}{AgentKeyFile.Extension}");
        if (File.Exists(path) && !settings.Force)
        {
            error.WriteLine($"keygen: '{path}' exists; use --force to overwrite it.");
            return ExitCodes.BadInput;
        }
        try
        {
            AgentKeyFile.Save(key, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"keygen: cannot write '{path}': {e.Message}");
            return ExitCodes.BadInput;
        }
        error.WriteLine($"keygen: wrote {path} ({settings.Host}:{settings.Port})");
        output.WriteLine(key.Agent.ToString());
        return ExitCodes.Ok;
    }
}
