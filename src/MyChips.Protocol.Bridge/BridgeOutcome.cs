namespace MyChips.Protocol.Bridge;

/// <summary>Where a message handled by the bridge came from.</summary>
public enum BridgeDirection
{
    /// <summary>A notification of the site database, to send to another site.</summary>
    Local,

    /// <summary>A message from another site (or from an agent of this site, delivered locally).</summary>
    Remote,
}

/// <summary>
/// What became of one message: the database's answer to it (a <c>{status, object}</c> result, a state string
/// when the message did not fit, or null when refused), or why it could not be sent or processed.
/// </summary>
/// <param name="Direction">Whether the message was sent or received.</param>
/// <param name="Target">The message's target (tally, chit, route, lift).</param>
/// <param name="Action">The message's action.</param>
/// <param name="Result">The process function's result as JSON text; null when it returned null or was not called.</param>
/// <param name="Problem">Why the message was not sent or not taken in; null when it was.</param>
public sealed record BridgeOutcome(BridgeDirection Direction, string Target, string Action, string? Result, string? Problem)
{
    /// <summary>True when the database took the message in.</summary>
    public bool Accepted => Problem is null;
}
