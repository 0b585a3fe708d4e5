using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>Why a connection closed. The responder closes silently on every hostile case; this is what it records.</summary>
public enum CloseReason
{
    None,

    /// <summary>A frame failed to decrypt (tampered, replayed, or encrypted with other keys).</summary>
    BadMac,

    /// <summary>An <c>N</c> (or <c>I</c>) named an agent the key provider does not know.</summary>
    UnknownAgent,

    /// <summary>The peer's static key is not the one the key provider (or its claimed agent id) says.</summary>
    WrongKey,

    /// <summary>The ticket in an <c>I</c> has expired.</summary>
    TicketExpired,

    /// <summary>The ticket in an <c>I</c> was used before.</summary>
    TicketUsed,

    /// <summary>The ticket in an <c>I</c> is not known to the ticket store.</summary>
    TicketUnknown,

    /// <summary>The ticket store refused the ticket for another reason (bound to another presenter, tally not a draft).</summary>
    TicketRefused,

    /// <summary>The key provider or ticket store could not answer.</summary>
    KeyStoreUnavailable,

    /// <summary>A packet arrived that the connection's current state does not accept (including unknown types).</summary>
    PacketNotAllowed,

    /// <summary>A frame declared a length over the limit (checked before its body is read).</summary>
    OversizedFrame,

    /// <summary>A frame or its body could not be parsed (empty frame, malformed JSON where JSON is required).</summary>
    MalformedPacket,

    /// <summary>The handshake did not complete in time.</summary>
    HandshakeTimeout,

    /// <summary>The responder closed a connection that carried no traffic either way for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The remote side closed the connection.</summary>
    RemoteClosed,

    /// <summary>A socket error ended the connection.</summary>
    SocketError,

    /// <summary>The remote address is on the block list.</summary>
    Blocked,

    /// <summary>This node closed the connection (node stopped or asked to).</summary>
    LocalClosed,

    /// <summary>The outgoing TCP connect failed.</summary>
    ConnectFailed,

    /// <summary>An inbound connection over <see cref="PeerLimits.MaxConnections"/> or <see cref="PeerLimits.MaxConnectionsPerAddress"/>.</summary>
    ConnectionLimit,

    /// <summary>An inbound connection over <see cref="PeerLimits.MaxPendingHandshakes"/> or <see cref="PeerLimits.MaxPendingHandshakesPerAddress"/>.</summary>
    HandshakeLimit,

    /// <summary>The peer stopped reading: a write waited longer than <see cref="PeerLimits.WriteStallTimeout"/>.</summary>
    WriteStalled,

    /// <summary>Messages waited for a receipt longer than <see cref="PeerLimits.ReceiptTimeout"/> (a peer that sends no <c>R</c>).</summary>
    ReceiptTimeout,

    /// <summary>A K or I whose initiator ephemeral key was accepted before: a recorded handshake played again.</summary>
    Replayed,
}

internal static class CloseReasonExtensions
{
    /// <summary>The ticket store refused an I's ticket, for one of the reasons <see cref="FromRejection"/> names.</summary>
    public static bool IsTicketRefusal(this CloseReason reason) =>
        reason is CloseReason.TicketExpired or CloseReason.TicketUsed or CloseReason.TicketUnknown or CloseReason.TicketRefused;

    /// <summary>Why a connection closes for a ticket the store refused.</summary>
    public static CloseReason FromRejection(TicketRejection rejection) => rejection switch
    {
        TicketRejection.Expired => CloseReason.TicketExpired,
        TicketRejection.AlreadyUsed => CloseReason.TicketUsed,
        TicketRejection.UnknownToken => CloseReason.TicketUnknown,
        _ => CloseReason.TicketRefused,
    };

    /// <summary>True for the reasons that count against the remote address on the block list.</summary>
    public static bool IsHostile(this CloseReason reason) => reason.IsTicketRefusal() || reason is CloseReason.BadMac or CloseReason.UnknownAgent
        or CloseReason.WrongKey or CloseReason.PacketNotAllowed or CloseReason.OversizedFrame
        or CloseReason.MalformedPacket or CloseReason.HandshakeTimeout or CloseReason.WriteStalled or CloseReason.Replayed;

    /// <summary>
    /// Whether a closing connection waits (briefly) for the peer's last bytes and FIN. Protocol violations do not:
    /// such a peer is cut off silently at once, and the kernel answers whatever it still sends with a reset.
    /// </summary>
    public static bool DrainsOnClose(this CloseReason reason) => !reason.IsTicketRefusal() && reason is not (CloseReason.BadMac or CloseReason.UnknownAgent
        or CloseReason.WrongKey or CloseReason.PacketNotAllowed or CloseReason.OversizedFrame
        or CloseReason.MalformedPacket or CloseReason.SocketError or CloseReason.Replayed);

    /// <summary>The reason a tag names (the inverse of <see cref="ToTag"/>); <see cref="CloseReason.None"/> for an unknown tag.</summary>
    public static CloseReason FromTag(string? tag)
    {
        foreach (var reason in Enum.GetValues<CloseReason>())
            if (reason.ToTag() == tag) return reason;
        return CloseReason.None;
    }

    /// <summary>Stable lowercase names for logs and metric tags.</summary>
    public static string ToTag(this CloseReason reason) => reason switch
    {
        CloseReason.None => "none",
        CloseReason.BadMac => "bad_mac",
        CloseReason.UnknownAgent => "unknown_agent",
        CloseReason.WrongKey => "wrong_key",
        CloseReason.TicketExpired => "ticket_expired",
        CloseReason.TicketUsed => "ticket_used",
        CloseReason.TicketUnknown => "ticket_unknown",
        CloseReason.TicketRefused => "ticket_refused",
        CloseReason.KeyStoreUnavailable => "key_store_unavailable",
        CloseReason.PacketNotAllowed => "packet_not_allowed",
        CloseReason.OversizedFrame => "oversized_frame",
        CloseReason.MalformedPacket => "malformed_packet",
        CloseReason.HandshakeTimeout => "handshake_timeout",
        CloseReason.IdleTimeout => "idle_timeout",
        CloseReason.RemoteClosed => "remote_closed",
        CloseReason.SocketError => "socket_error",
        CloseReason.Blocked => "blocked",
        CloseReason.LocalClosed => "local_closed",
        CloseReason.ConnectFailed => "connect_failed",
        CloseReason.ConnectionLimit => "connection_limit",
        CloseReason.HandshakeLimit => "handshake_limit",
        CloseReason.WriteStalled => "write_stalled",
        CloseReason.ReceiptTimeout => "receipt_timeout",
        CloseReason.Replayed => "replayed",
        _ => "other",
    };
}
