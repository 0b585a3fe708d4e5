namespace MyChips.Protocol.Peers;

/// <summary>How a node protects its connections. Every mode uses the same framing, packets and states.</summary>
public enum PeerMode
{
    /// <summary>Noise as the spec defines it: the initiator sends with the first Split key; messages at most 65535 bytes.</summary>
    Strict,

    /// <summary>
    /// What the deployed MyCHIPs JavaScript peer does (npm noise-protocol 3.0.2): transport keys swapped and
    /// messages over 65535 bytes. Such peers negotiate no receipts, so their messages count as delivered when written.
    /// </summary>
    MyChipsJs,

    /// <summary>No encryption and no authentication: the same packets in plain text, for simulations.</summary>
    Raw,
}
