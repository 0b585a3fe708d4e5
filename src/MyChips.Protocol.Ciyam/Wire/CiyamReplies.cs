namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>The reply lines of CIYAM's peer protocol, and its line limits.</summary>
public static class CiyamReplies
{
    public const string Okay = "(okay)";
    public const string OkayMore = "(okay more)";
    public const string OkaySkip = "(okay skip)";
    public const string NotFound = "(not found)";
    public const string ErrorPrefix = "(error)";

    /// <summary>The protocol version the listener greets with, before <see cref="Okay"/>.</summary>
    public const string Version = "0.1";

    /// <summary>The longest command line, in bytes.</summary>
    public const int MaxCommandLine = 500;

    /// <summary>The longest transfer header line: a small file rides on it.</summary>
    public const int MaxHeaderLine = 1_000;
}
