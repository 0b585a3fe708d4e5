using System.Diagnostics.CodeAnalysis;
using System.Globalization;
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

    /// <summary>Reads <c>AGENT@HOST:PORT</c>; a CHIP address <c>cuid:AGENT@HOST:PORT</c> is accepted too.</summary>
    public static PeerDestination Parse(string text) =>
        TryParse(text, out var destination, out var problem) ? destination : throw new FormatException(problem);

    /// <param name="problem">What is wrong with the text, when it is not a destination.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PeerDestination? destination, out string problem)
    {
        destination = null;
        text ??= "";
        var at = text.LastIndexOf('@');
        var colon = text.LastIndexOf(':');
        if (at < 0 || colon < at)
        {
            problem = $"'{text}' is not AGENT@HOST:PORT.";
            return false;
        }
        var agentText = text[..at];
        var cuidColon = agentText.LastIndexOf(':');
        if (cuidColon >= 0) agentText = agentText[(cuidColon + 1)..];
        var host = text[(at + 1)..colon].Trim('[', ']');
        if (!AgentId.TryParse(agentText, out var agent))
        {
            problem = $"'{agentText}' is not an agent id (43 base64url characters).";
            return false;
        }
        if (host.Length == 0)
        {
            problem = $"'{text}' names no host.";
            return false;
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problem = $"'{text[(colon + 1)..]}' is not a port from 1 to 65535.";
            return false;
        }
        destination = new PeerDestination(agent, host, port);
        problem = "";
        return true;
    }

    public override string ToString() => $"{Agent}@{Host}:{Port}";
}
