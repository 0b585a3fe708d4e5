namespace MyChips.Protocol.Peers;

/// <summary>Why a message could not be delivered.</summary>
public enum DeliveryFailure
{
    /// <summary>The destination agent is not known to the key provider and no host and port were given.</summary>
    UnknownAgent,

    /// <summary>The key provider could not answer.</summary>
    KeyStoreUnavailable,

    /// <summary>The TCP connection to the destination could not be made.</summary>
    ConnectFailed,

    /// <summary>The destination did not complete the handshake in time (it may have refused us silently).</summary>
    HandshakeTimeout,

    /// <summary>The connection closed during the handshake (a responder refuses silently by closing).</summary>
    HandshakeFailed,

    /// <summary>
    /// The connection closed before the message was acknowledged. The message may or may not have reached the
    /// destination; it was not acknowledged, and the node does not resend it.
    /// </summary>
    ConnectionLost,

    /// <summary>The message is larger than the mode or the configured frame limit allows.</summary>
    MessageTooLarge,

    /// <summary>The message is not a UTF-8 JSON object.</summary>
    InvalidMessage,

    /// <summary>The node was stopped before the message was delivered.</summary>
    NodeStopped,

    /// <summary>The caller's cancellation token fired before the message was written.</summary>
    Canceled,
}
