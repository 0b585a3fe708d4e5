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
        ConnectionCloseKind.SocketError => CloseReason.SocketError,
        ConnectionCloseKind.WriteStalled => CloseReason.WriteStalled,
        ConnectionCloseKind.TimedOut => closed.Timeout == "idle" ? CloseReason.IdleTimeout : CloseReason.HandshakeTimeout,
        ConnectionCloseKind.ProtocolViolation => closed.Violation switch
        {
            ProtocolViolation.FrameTooLarge => CloseReason.OversizedFrame,
            ProtocolViolation.MalformedFrame => CloseReason.MalformedPacket,
            // KK fails on K when the initiator does not hold the key the provider trusts for the agent it named.
            ProtocolViolation.HandshakeFailed => lastHandshakePacket == PacketType.Knock ? CloseReason.WrongKey : CloseReason.BadMac,
            ProtocolViolation.DecryptionFailed => CloseReason.BadMac,
            _ => CloseReason.PacketNotAllowed,
        },
        _ => FromRefusal(closed.Detail),
    };

    /// <summary>
    /// An action's or the session's close: the tag it named; a body the spec's codec could not decode; an action that
    /// threw (a write on a failed socket, mostly); any other refusal is a packet the state did not allow.
    /// </summary>
    private static CloseReason FromRefusal(string detail)
    {
        var tagged = CloseReasonExtensions.FromTag(detail);
        if (tagged != CloseReason.None) return tagged;
        if (detail.StartsWith("a malformed ", StringComparison.Ordinal)) return CloseReason.MalformedPacket;
        if (detail.StartsWith("an action failed", StringComparison.Ordinal) || detail.StartsWith("the session failed", StringComparison.Ordinal))
            return CloseReason.SocketError;
        return CloseReason.PacketNotAllowed;
    }
}
