using System.CommandLine;
using MyChips.Peer.Demo;

namespace MyChips.Peer.Commands;

/// <summary><c>mychips-peer demo</c>: two sites on loopback, a ticket connection then a later one, with a trace.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var mode = CommonOptions.Mode();
        var command = new Command("demo", "Two sites talking over loopback with the in-memory key store: a ticket connection, then a later one, with a trace.")
        {
            mode,
        };
        command.SetAction((parse, _) => PeerDemo.RunAsync(parse.InvocationConfiguration.Output, parse.GetValue(mode)));
        return command;
    }
}
