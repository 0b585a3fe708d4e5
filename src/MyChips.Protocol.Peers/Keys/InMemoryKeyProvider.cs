using System.Collections.Concurrent;

namespace MyChips.Protocol.Keys;

/// <summary>The embedded default key provider: agents added in code, kept in memory.</summary>
public sealed class InMemoryKeyProvider : IKeyProvider
{
    private readonly ConcurrentDictionary<AgentId, AgentRecord> _agents = new();

    public InMemoryKeyProvider(IEnumerable<AgentRecord>? agents = null)
    {
        foreach (var agent in agents ?? []) Add(agent);
    }

    /// <summary>Adds or replaces what the site knows of an agent.</summary>
    public void Add(AgentRecord agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (agent.Ed25519PublicKey.Length != AgentId.PublicKeyLength)
            throw new ArgumentException($"An agent's Ed25519 public key is {AgentId.PublicKeyLength} bytes.", nameof(agent));
        _agents[agent.Agent] = agent;
    }

    public bool Remove(AgentId agent) => _agents.TryRemove(agent, out _);

    public ValueTask<AgentRecord?> FindAgentAsync(AgentId agent, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_agents.GetValueOrDefault(agent));
}
