using System.Net;

namespace MyChips.Protocol.Overlay.Transport;

/// <summary>Turns an entry point's host name into addresses (DDNS names go through the system resolver).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken = default);
}

/// <summary>The system resolver: hosts file, then DNS.</summary>
public sealed class SystemHostResolver : IHostResolver
{
    public static SystemHostResolver Instance { get; } = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken = default) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>Parses overlay addresses: <c>host:port</c>, <c>1.2.3.4:port</c> or <c>[::1]:port</c>.</summary>
public static class OverlayAddress
{
    public static bool TrySplit(string address, out string host, out int port)
    {
        (host, port) = ("", 0);
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out port) || port is < 1 or > 65535) return false;
        host = address[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    /// <summary>The address of an end point, as peers are told it.</summary>
    public static string Of(IPEndPoint endPoint) => endPoint.ToString();
}
