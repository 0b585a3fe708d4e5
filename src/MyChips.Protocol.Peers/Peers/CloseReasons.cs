using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>How the engine's account of a close maps onto the <see cref="CloseReason"/> tags MyCHIPs reports.</summary>
internal static class CloseReasons
{
    /// <param name="closed">The engine's reason.</param>
    /// <param name="lastHandshakePacket">The last handshake packet received, which a failed handshake message was.</param>
    public static CloseReason FromEngine(ConnectionCloseReason closed, PacketType lastHandshakePacket) => closed.Kind switch
    {
        ConnectionCloseKind.LocalClosed or ConnectionCloseKind.Completed => CloseReason.LocalClosed,
        ConnectionCloseKind.RemoteClosed => CloseReason.RemoteClosed,
        // An action that threw is, in MyCHIPs's terms, mostly a write on a failed socket.
        ConnectionCloseKind.SocketError or ConnectionCloseKind.Failed => CloseReason.SocketError,
        ConnectionCloseKind.WriteStalled => CloseReason.WriteStalled,
        ConnectionCloseKind.TimedOut => closed.Timeout == "idle" ? CloseReason.IdleTimeout : CloseReason.HandshakeTimeout,
        ConnectionCloseKind.ProtocolViolation => closed.Violation switch
        {
            ProtocolViolation.FrameTooLarge => CloseReason.OversizedFrame,
            ProtocolViolation.MalformedFrame or ProtocolViolation.MalformedBody => CloseReason.MalformedPacket,
            // KK fails on K when the initiator does not hold the key the provider trusts for the agent it named.
            ProtocolViolation.HandshakeFailed => lastHandshakePacket == PacketType.Knock ? CloseReason.WrongKey : CloseReason.BadMac,
            ProtocolViolation.DecryptionFailed => CloseReason.BadMac,
            _ => CloseReason.PacketNotAllowed,
        },
        _ => FromRefusal(closed.Detail),
    };

    /// <summary>An action's or the session's close: the tag it named, or a packet the state did not allow.</summary>
    private static CloseReason FromRefusal(string detail) =>
        CloseReasonExtensions.FromTag(detail) is var tagged && tagged != CloseReason.None ? tagged : CloseReason.PacketNotAllowed;
}
