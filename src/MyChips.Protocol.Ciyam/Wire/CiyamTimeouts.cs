namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>How long a CIYAM peer waits. The defaults are the 2017 code's: a request 5 s, the greeting 10 s.</summary>
public sealed record CiyamTimeouts
{
    /// <summary>For an answer to a command, or for the next command.</summary>
    public TimeSpan Request { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>For the greeting, the first command and the TLS handshake.</summary>
    public TimeSpan Greeting { get; init; } = TimeSpan.FromSeconds(10);
}
