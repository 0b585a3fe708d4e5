using System.Text;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Overlay.Routing;

namespace MyChips.Protocol.Overlay.Wire;

/// <summary>
/// The peers of a Nodes packet, one after another: the 32-byte public key, a flags byte, the address's length
/// (a byte) and the address in UTF-8 (length 0: none). Ids are derived from the keys, never taken on trust.
/// </summary>
internal static class PeerListCodec
{
    public const int MaxPeers = 40;
    private const int MaxAddressLength = 100;

    public static byte[] Encode(IReadOnlyList<PeerInfo> peers)
    {
        var buffer = new List<byte>(peers.Count * 56);
        foreach (var peer in peers.Take(MaxPeers))
        {
            var address = Encoding.UTF8.GetBytes(peer.Address ?? "");
            if (peer.PublicKey.Length != X25519Keys.KeyLength || address.Length > MaxAddressLength) continue;
            buffer.AddRange(peer.PublicKey.ToArray());
            buffer.Add((byte)peer.Flags);
            buffer.Add((byte)address.Length);
            buffer.AddRange(address);
        }
        return buffer.ToArray();
    }

    /// <summary>The peers in <paramref name="bytes"/>, or null if the list is malformed or too long.</summary>
    public static IReadOnlyList<PeerInfo>? Decode(ReadOnlySpan<byte> bytes)
    {
        var peers = new List<PeerInfo>();
        while (!bytes.IsEmpty)
        {
            if (peers.Count == MaxPeers || bytes.Length < X25519Keys.KeyLength + 2) return null;
            var key = bytes[..X25519Keys.KeyLength].ToArray();
            var flags = (PeerFlags)bytes[X25519Keys.KeyLength] & (PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.EntryPoint);
            int length = bytes[X25519Keys.KeyLength + 1];
            bytes = bytes[(X25519Keys.KeyLength + 2)..];
            if (length > MaxAddressLength || bytes.Length < length) return null;
            var address = length == 0 ? null : Encoding.UTF8.GetString(bytes[..length]);
            bytes = bytes[length..];
            peers.Add(PeerInfo.From(key, address, flags));
        }
        return peers;
    }
}
