namespace MyChips.Protocol.Connections;

/// <summary>Where a packet sits in the Noise protocol, as its spec declares.</summary>
public enum PacketStage
{
    /// <summary>Outside Noise: the body goes in the clear.</summary>
    None,

    /// <summary>A handshake message of the packet's pattern, at its message number.</summary>
    Handshake,

    /// <summary>A transport message, once the handshake is done.</summary>
    Transport,
}
