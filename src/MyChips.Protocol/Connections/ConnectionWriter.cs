namespace MyChips.Protocol.Connections;

/// <summary>
/// What a session writes with in <see cref="ProtocolSession"/>'s write turn: packets sealed straight into the
/// connection's outgoing pipe, in the order written, flushed together after the turn.
/// </summary>
public readonly struct ConnectionWriter
{
    private readonly ProtocolConnection _connection;

    internal ConnectionWriter(ProtocolConnection connection) => _connection = connection;

    /// <summary>Bytes a transport packet adds to its payload (the AEAD tag, or none in the clear).</summary>
    public int TransportOverhead => _connection.TransportOverhead;

    /// <summary>
    /// Writes one transport or clear packet carrying <paramref name="payload"/>. Throws <see cref="ArgumentException"/>
    /// for a handshake packet (those go through <see cref="ProtocolConnection.SendAsync"/>, in the handshake's order),
    /// a packet this side may not send or a body that does not fit, and <see cref="InvalidOperationException"/> for a
    /// transport packet before the handshake completed.
    /// </summary>
    public void Write(PacketDescriptor packet, ReadOnlySpan<byte> payload) => _connection.WriteDirect(packet, payload);
}
