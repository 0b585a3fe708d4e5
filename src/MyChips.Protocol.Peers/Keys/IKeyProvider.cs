namespace MyChips.Protocol.Keys;

/// <summary>
/// Tells a node which remote agents it knows and which public key it trusts for each. A responder asks
/// after an <c>N</c> packet before it loads the key for the KK handshake; an initiator asks where to connect.
/// </summary>
public interface IKeyProvider
{
    /// <summary>The agent's record, or null when the site does not know the agent.</summary>
    /// <exception cref="KeyStoreUnavailableException">The store could not answer in time.</exception>
    ValueTask<AgentRecord?> FindAgentAsync(AgentId agent, CancellationToken cancellationToken = default);
}
