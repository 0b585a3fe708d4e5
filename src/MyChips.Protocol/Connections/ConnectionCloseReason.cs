namespace MyChips.Protocol.Connections;

/// <summary>How a connection ended.</summary>
public enum ConnectionCloseKind
{
    /// <summary>The machine reached a final state.</summary>
    Completed,

    /// <summary>This side closed it (the application or the node stopping).</summary>
    LocalClosed,

    /// <summary>The peer closed or reset the socket.</summary>
    RemoteClosed,

    /// <summary>The peer broke the protocol; <see cref="ConnectionCloseReason.Violation"/> says how.</summary>
    ProtocolViolation,

    /// <summary>An action asked to close (its reason says why).</summary>
    Refused,

    /// <summary>A spec timeout expired; <see cref="ConnectionCloseReason.Timeout"/> names it.</summary>
    TimedOut,

    /// <summary>The socket failed.</summary>
    SocketError,

    /// <summary>An action or the session threw; the detail names the exception.</summary>
    Failed,

    /// <summary>The peer read nothing for the write stall timeout while this side had packets to write.</summary>
    WriteStalled,
}

/// <summary>What a peer did wrong, for a close of kind <see cref="ConnectionCloseKind.ProtocolViolation"/>.</summary>
public enum ProtocolViolation
{
    /// <summary>Not a violation.</summary>
    None,

    /// <summary>A frame (or line) announced longer than the maximum; its body was never read.</summary>
    FrameTooLarge,

    /// <summary>A frame the framing cannot read: an empty frame, a line not ended by CRLF.</summary>
    MalformedFrame,

    /// <summary>A declared packet whose body the spec's codec cannot decode.</summary>
    MalformedBody,

    /// <summary>A packet type (or command word) the spec does not declare.</summary>
    UnknownPacket,

    /// <summary>A packet the peer's role may not send, or the machine does not take in its state.</summary>
    UnexpectedPacket,

    /// <summary>A handshake message that failed: out of the spec's order, not decrypting, or a key that is not trusted.</summary>
    HandshakeFailed,

    /// <summary>A transport packet that failed to decrypt (tampered, replayed or under other keys).</summary>
    DecryptionFailed,
}

/// <summary>How a connection ended, and why, in words for the log.</summary>
public sealed record ConnectionCloseReason(ConnectionCloseKind Kind, string Detail)
{
    /// <summary>For a protocol violation, what the peer did wrong; otherwise <see cref="ProtocolViolation.None"/>.</summary>
    public ProtocolViolation Violation { get; init; }

    /// <summary>For a protocol violation by a packet the framing could read, that packet (one out of order, say); otherwise null.</summary>
    public PacketDescriptor? Packet { get; init; }

    /// <summary>For <see cref="ConnectionCloseKind.TimedOut"/>, the spec name of the timeout that expired.</summary>
    public string? Timeout { get; init; }

    public override string ToString() => Violation == ProtocolViolation.None ? $"{Kind}: {Detail}" : $"{Kind} ({Violation}): {Detail}";
}
