using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>The spec's declarations of the packets the connection writes in its own write turns.</summary>
internal static class PeerPackets
{
    public static readonly PacketDescriptor Transport = Of(PacketType.Transport);
    public static readonly PacketDescriptor Receipt = Of(PacketType.Receipt);
    public static readonly PacketDescriptor Batch = Of(PacketType.Batch);

    private static PacketDescriptor Of(PacketType type) => MyChipsPeerDescription.Instance.GetPacket((byte)type);
}
