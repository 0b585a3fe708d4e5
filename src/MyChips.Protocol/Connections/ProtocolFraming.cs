namespace MyChips.Protocol.Connections;

/// <summary>How a protocol's packets are framed on the wire, as its spec's <c>framing</c> line says.</summary>
public enum ProtocolFraming
{
    /// <summary><c>framing length u32be type byte</c>: a 4-byte big-endian length, the type byte, the body.</summary>
    LengthPrefixed,

    /// <summary><c>framing line</c>: one CRLF-terminated text line per packet: its command word, a space, the body.</summary>
    Line,
}
