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

    /// <summary>The peer broke the protocol: a malformed or oversized frame, an unknown or unexpected packet, a bad MAC.</summary>
    ProtocolViolation,

    /// <summary>An action asked to close (its reason says why).</summary>
    Refused,

    /// <summary>A spec timeout expired.</summary>
    TimedOut,

    /// <summary>The socket failed.</summary>
    SocketError,
}

/// <summary>How a connection ended, and why, in words for the log.</summary>
public sealed record ConnectionCloseReason(ConnectionCloseKind Kind, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}
