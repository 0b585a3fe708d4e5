using System.Globalization;

namespace MyChips.Protocol.Testing;

/// <summary>How to start tests/interop-node/peer.js; each property maps to one command-line option.</summary>
public sealed record JsPeerOptions
{
    /// <summary>Listen on 127.0.0.1 at this port (0: any free port); null: do not listen.</summary>
    public int? Listen { get; init; }

    /// <summary>The default peer to connect to (host, port) and its agent id.</summary>
    public string? ConnectHost { get; init; }
    public int? ConnectPort { get; init; }
    public string? Peer { get; init; }

    /// <summary>"encrypted" (the default) or "raw".</summary>
    public string Mode { get; init; } = "encrypted";

    /// <summary>Own identity from a MyCHIPs agent key file.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Own identity from a 32-byte Ed25519 seed (hex).</summary>
    public string? SeedHex { get; init; }

    /// <summary>A ticket JSON (<c>{"token":..,"expires":..,"chad":{..}}</c>) for the first new connection, which opens with I.</summary>
    public string? TicketJson { get; init; }

    /// <summary>Agents accepted in N packets (<c>AGENT</c> or <c>AGENT@HOST:PORT</c>); empty: any valid agent.</summary>
    public IReadOnlyList<string> Known { get; init; } = [];

    /// <summary>Ticket tokens accepted once in I packets; empty: any ticket (as the deployed peer).</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>Answer every received message m with <c>{"echo": m}</c>.</summary>
    public bool Echo { get; init; }

    /// <summary>No frame and received events (load runs count with the stats command instead).</summary>
    public bool Quiet { get; init; }

    /// <summary>Responder idle close in milliseconds (the peer's default is 60000).</summary>
    public int? IdleMilliseconds { get; init; }

    /// <summary>Send I packets as the deployed JavaScript initiator does: the type byte alone.</summary>
    public bool BrokenIkInitiator { get; init; }

    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { "peer.js", "--mode", Mode };
        if (Listen is { } listen) args.AddRange(["--listen", Text(listen)]);
        if (ConnectHost is not null || ConnectPort is not null || Peer is not null)
        {
            if (ConnectHost is null || ConnectPort is null || Peer is null)
                throw new ArgumentException("ConnectHost, ConnectPort and Peer go together.");
            args.AddRange(["--connect", $"{ConnectHost}:{Text(ConnectPort.Value)}", "--peer", Peer]);
        }
        if (KeyFile is not null) args.AddRange(["--key", KeyFile]);
        if (SeedHex is not null) args.AddRange(["--seed", SeedHex]);
        if (TicketJson is not null) args.AddRange(["--ticket", TicketJson]);
        foreach (var known in Known) args.AddRange(["--known", known]);
        foreach (var token in Tokens) args.AddRange(["--token", token]);
        if (Echo) args.Add("--echo");
        if (Quiet) args.Add("--quiet");
        if (IdleMilliseconds is { } idle) args.AddRange(["--idle-ms", Text(idle)]);
        if (BrokenIkInitiator) args.Add("--broken-ik-initiator");
        return args;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
