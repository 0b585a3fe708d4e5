namespace MyChips.Protocol.Connections;

/// <summary>
/// Which end of a connection this is. The spec's first role is the one that connects (the initiator), its
/// second the one that accepts (the responder), whatever the spec calls them.
/// </summary>
public enum ConnectionRole
{
    /// <summary>Opened the TCP connection; writes the first Noise handshake message.</summary>
    Initiator,

    /// <summary>Accepted the TCP connection.</summary>
    Responder,
}
