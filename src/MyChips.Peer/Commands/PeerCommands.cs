using System.CommandLine;

namespace MyChips.Peer.Commands;

/// <summary>The <c>mychips-peer</c> root command: one subcommand per file in this folder.</summary>
public static class PeerCommands
{
    public static RootCommand CreateRoot() => new("mychips-peer: run and inspect MyCHIPs peer nodes.")
    {
        DemoCommand.Create(),
        KeygenCommand.Create(),
        TicketCommand.Create(),
        RunCommand.Create(),
        BridgeCommand.Create(),
        SendCommand.Create(),
        SpecCommand.Create(),
        NoiseVectorsCommand.Create(),
        CiyamCommand.Create(),
        OverlayCommand.Create(),
    };
}
