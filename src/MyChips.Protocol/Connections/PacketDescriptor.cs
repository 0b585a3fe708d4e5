namespace MyChips.Protocol.Connections;

/// <summary>What a spec says about one packet: all the engine needs to frame, encrypt and check it.</summary>
/// <param name="Type">The type byte on the wire (length framing), or the packet's number in the spec (line framing).</param>
/// <param name="Keyword">The packet's type as text: the type byte as a character, or the command word.</param>
/// <param name="Name">The packet's name in the spec.</param>
/// <param name="InitiatorSends">The spec's first role may send it.</param>
/// <param name="ResponderSends">The spec's second role may send it.</param>
/// <param name="Stage">Outside Noise, a handshake message or a transport message.</param>
/// <param name="Patterns">For a handshake message, the Noise patterns it belongs to (e.g. "XX").</param>
/// <param name="MessageIndex">For a handshake message, its 1-based number in the pattern; otherwise 0.</param>
public sealed record PacketDescriptor(
    byte Type,
    string Keyword,
    string Name,
    bool InitiatorSends,
    bool ResponderSends,
    PacketStage Stage,
    IReadOnlyList<string> Patterns,
    int MessageIndex)
{
    /// <summary>Whether a role may send this packet.</summary>
    public bool IsSentBy(ConnectionRole role) => role == ConnectionRole.Initiator ? InitiatorSends : ResponderSends;

    /// <summary>Whether this packet is message <paramref name="index"/> of <paramref name="pattern"/>.</summary>
    public bool IsHandshakeMessage(string pattern, int index) =>
        Stage == PacketStage.Handshake && MessageIndex == index && Patterns.Contains(pattern, StringComparer.Ordinal);

    public override string ToString() => $"{Name} '{Keyword}'";
}
