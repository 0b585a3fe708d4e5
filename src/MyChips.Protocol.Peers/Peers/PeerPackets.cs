using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>The spec's declarations of MyCHIPs packets, as the engine takes them.</summary>
internal static class PeerPackets
{
    public static readonly PacketDescriptor Transport = Of(PacketType.Transport);
    public static readonly PacketDescriptor Receipt = Of(PacketType.Receipt);
    public static readonly PacketDescriptor Batch = Of(PacketType.Batch);

    /// <summary>The spec's declaration of a packet type.</summary>
    public static PacketDescriptor Of(PacketType type) => MyChipsPeerDescription.Instance.GetPacket((byte)type);
}
