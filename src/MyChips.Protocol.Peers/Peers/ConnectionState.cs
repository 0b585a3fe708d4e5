namespace MyChips.Protocol.Peers;

/// <summary>The life of a connection, as consumers see it.</summary>
public enum ConnectionState
{
    /// <summary>An outgoing TCP connect is under way.</summary>
    Connecting,

    /// <summary>TCP is up; the Noise (or raw) handshake is under way.</summary>
    Handshaking,

    /// <summary>The handshake completed: messages flow both ways.</summary>
    Open,

    /// <summary>The connection is closed; <see cref="ConnectionStateChange.CloseReason"/> says why.</summary>
    Closed,
}

/// <summary>Which side opened a connection.</summary>
public enum ConnectionDirection
{
    Outbound,
    Inbound,
}
