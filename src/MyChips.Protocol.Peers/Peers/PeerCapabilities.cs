namespace MyChips.Protocol.Peers;

/// <summary>
/// Extensions to the base MyCHIPs peer protocol, negotiated per connection: the initiator offers them in a C
/// packet just before its K or I, and the responder names those it accepts in the payload of its A. A peer that
/// knows no extension skips C (as it skips every unknown type) and sends an empty A, so it sees the base protocol.
/// </summary>
[Flags]
public enum PeerCapabilities
{
    /// <summary>The base protocol only.</summary>
    None = 0,

    /// <summary>R packets acknowledge what arrived; the responder holds the first message until the initiator's first R proves its keys.</summary>
    Receipts = 1,

    /// <summary>
    /// B packets: a write batch of several messages sealed as one transport message, so the AEAD's fixed cost is
    /// paid once per batch rather than once per message. Each message in it counts as one for receipts.
    /// </summary>
    Batches = 2,
}

internal static class PeerCapabilitiesCodec
{
    /// <summary>What this node offers and accepts.</summary>
    public const PeerCapabilities Supported = PeerCapabilities.Receipts | PeerCapabilities.Batches;

    /// <summary>One byte of flags; an empty body means none, and bytes after the first are reserved.</summary>
    public static PeerCapabilities Decode(ReadOnlySpan<byte> body) =>
        body.IsEmpty ? PeerCapabilities.None : (PeerCapabilities)body[0] & Supported;

    public static byte[] Encode(PeerCapabilities capabilities) =>
        capabilities == PeerCapabilities.None ? [] : [(byte)capabilities];
}
