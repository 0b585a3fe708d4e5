namespace MyChips.Protocol.Bridge;

/// <summary>How a <see cref="SiteBridge"/> works its site database.</summary>
public sealed record SiteBridgeOptions
{
    /// <summary>
    /// Requests whose last attempt is at least this old are re-sent, by <c>tally_notices(age)</c>. Null (the
    /// default): <c>tally_notices()</c>, as MyCHIPs's own schema has it, which decides the age itself.
    /// </summary>
    public TimeSpan? RetryAge { get; init; }

    /// <summary>The wait after a failed send before asking for re-sends.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often <c>tally_notices</c> runs besides start, reconnect and failed sends.</summary>
    public TimeSpan NoticeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether tally and chit signatures are checked (ECDSA P-521, SHA-384) before they move on. MyCHIPs's peer
    /// server has the same switch for tests; leave it on for a site.
    /// </summary>
    public bool CheckSignatures { get; init; } = true;

    /// <summary>How many refused partner messages are kept to be tried again after the next change.</summary>
    public int ParkedCapacity { get; init; } = 1000;

    /// <summary>How often a refused partner message is tried in all before it is given up (with a log line).</summary>
    public int ParkedAttempts { get; init; } = 8;

    /// <summary>The wait before connecting to the database again after it went away.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);
}
