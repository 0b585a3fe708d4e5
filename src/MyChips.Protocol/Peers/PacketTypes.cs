namespace MyChips.Protocol.Peers;

/// <summary>The type bytes of the MyCHIPs peer packets (spec/mychips-peer.protocol).</summary>
internal static class PacketTypes
{
    public const byte Ticket = (byte)'I';
    public const byte Declare = (byte)'N';
    public const byte Knock = (byte)'K';
    public const byte Ack = (byte)'A';
    public const byte Transport = (byte)'T';

    /// <summary>Receipt: the cumulative count of application messages received on the connection (8 bytes, big-endian).</summary>
    public const byte Receipt = (byte)'R';

    public static string Name(byte type) => type is >= 0x20 and < 0x7f ? ((char)type).ToString() : $"0x{type:x2}";
}
