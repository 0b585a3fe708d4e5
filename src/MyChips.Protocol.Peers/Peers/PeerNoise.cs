using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Peers;

/// <summary>
/// How a node's mode maps onto the runtime's Noise driver, which builds every handshake from the spec: N (a prelude
/// naming the initiator), then KK; or IK; then transport. Raw mode runs the same packets in the clear.
/// </summary>
internal static class PeerNoise
{
    public static ConnectionOptions Options(PeerNodeOptions options) => new()
    {
        LocalStaticPrivateKey = options.LocalKey.NoisePrivateKey.ToArray(),
        LocalStaticPublicKey = options.LocalKey.NoisePublicKey.ToArray(),
        Encrypted = options.Mode != PeerMode.Raw,
        NoiseProfile = options.Mode == PeerMode.MyChipsJs ? NoiseProfile.JavaScriptCompatible : NoiseProfile.Strict,
    };

    /// <summary>The spec's declaration of a packet type.</summary>
    public static PacketDescriptor Packet(PacketType type) => MyChipsPeerDescription.Instance.GetPacket((byte)type);
}
