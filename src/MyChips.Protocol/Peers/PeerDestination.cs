using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>Where a message goes: the remote agent and the host and port it listens on.</summary>
public sealed record PeerDestination(AgentId Agent, string Host, int Port)
{
    public static PeerDestination From(ChipAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new PeerDestination(address.Agent, address.Host, address.Port);
    }

    public static PeerDestination From(AgentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new PeerDestination(record.Agent, record.Host, record.Port);
    }

    public override string ToString() => $"{Agent}@{Host}:{Port}";
}
