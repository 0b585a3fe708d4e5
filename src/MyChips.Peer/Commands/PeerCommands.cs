using System.CommandLine;
using MyChips.Peer.Serve;

namespace MyChips.Peer.Commands;

/// <summary>The <c>mychips-peer</c> root command: one subcommand per file in this folder (and <c>serve</c>, in Serve/).</summary>
public static class PeerCommands
{
    public static RootCommand CreateRoot() => new("mychips-peer: run and inspect MyCHIPs peer nodes.")
    {
        DemoCommand.Create(),
        KeygenCommand.Create(),
        TicketCommand.Create(),
        RunCommand.Create(),
        SendCommand.Create(),
        SpecCommand.Create(),
        NoiseVectorsCommand.Create(),
        ServeCommand.Create(),
    };
}
