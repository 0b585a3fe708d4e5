using System.Net;

namespace MyChips.Protocol.Testing.Hostile;

/// <summary>Many hostile peers at once: a flood of connections, each optionally starting a handshake it never finishes.</summary>
public sealed class HostileFlood : IDisposable
{
    private HostileFlood(IReadOnlyList<HostilePeer> peers) => Peers = peers;

    public IReadOnlyList<HostilePeer> Peers { get; }

    /// <summary>Opens <paramref name="count"/> connections from <paramref name="from"/> and sends <paramref name="opening"/> (if any) on each.</summary>
    public static async Task<HostileFlood> OpenAsync(IPEndPoint target, int count, IPAddress? from = null, byte[]? opening = null)
    {
        var peers = new List<HostilePeer>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var peer = await HostilePeer.ConnectAsync(target, from).ConfigureAwait(false);
                peers.Add(peer);
                if (opening is not null) await peer.SendAsync(opening).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var peer in peers) peer.Dispose();
            throw;
        }
        return new HostileFlood(peers);
    }

    /// <summary>Peers the node has closed so far.</summary>
    public int ClosedCount => Peers.Count(p => p.IsClosed);

    public void Dispose()
    {
        foreach (var peer in Peers) peer.Dispose();
    }
}
