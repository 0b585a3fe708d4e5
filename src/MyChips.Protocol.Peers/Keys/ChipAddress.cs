using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MyChips.Protocol.Keys;

/// <summary>
/// Where a MyCHIPs user does business: the user id at its site (<c>cuid</c>), the site's agent, and the
/// agent's host and port. The legacy text form is <c>cuid:agent@host:port</c>.
/// </summary>
public sealed record ChipAddress(string Cuid, AgentId Agent, string Host, int Port)
{
    public static ChipAddress Parse(string text) =>
        TryParse(text, out var address)
            ? address
            : throw new FormatException($"'{text}' is not a CHIP address: expected cuid:agent@host:port.");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out ChipAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text)) return false;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        var portColon = text.LastIndexOf(':');
        if (colon <= 0 || at <= colon || portColon <= at + 1) return false;
        if (!AgentId.TryParse(text[(colon + 1)..at], out var agent)) return false;
        if (!int.TryParse(text.AsSpan(portColon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
            return false;
        address = new ChipAddress(text[..colon], agent, text[(at + 1)..portColon], port);
        return true;
    }

    public override string ToString() => $"{Cuid}:{Agent}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
