namespace MyChips.Protocol.Keys;

/// <summary>
/// What a site knows of a remote agent: the Ed25519 public key it trusts for that agent (in MyCHIPs,
/// <c>mychips.agents.agent_key</c>, the decoded agent id) and where the agent listens.
/// </summary>
public sealed record AgentRecord(AgentId Agent, ReadOnlyMemory<byte> Ed25519PublicKey, string Host, int Port)
{
    /// <summary>A record whose trusted key is the one the agent id itself names.</summary>
    public static AgentRecord FromId(AgentId agent, string host, int port) => new(agent, agent.ToPublicKey(), host, port);

    /// <summary>True when the trusted key is the key the agent id names, as MyCHIPs requires.</summary>
    public bool KeyMatchesId()
    {
        Span<byte> named = stackalloc byte[AgentId.PublicKeyLength];
        Agent.CopyPublicKeyTo(named);
        return Ed25519PublicKey.Span.SequenceEqual(named);
    }
}
