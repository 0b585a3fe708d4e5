namespace MyChips.Peer.Commands;

/// <summary>The exit codes every command uses.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;

    /// <summary>A message was not delivered or not answered, a vector failed, or the node could not run.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments or input: unknown option, malformed value, missing or unreadable file.</summary>
    public const int BadInput = 2;
}
