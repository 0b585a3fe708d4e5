namespace MyChips.Protocol.Peers;

/// <summary>
/// The cryptographic side of one connection: the handshake messages of each packet, then the transport.
/// <see cref="RawCipher"/> passes bytes through; the Noise one runs the N, KK and IK handshakes.
/// Methods returning false mean "refuse": the connection closes silently.
/// </summary>
internal abstract class ConnectionCipher : IDisposable
{
    /// <summary>Bytes a transport message adds to its plaintext (the AEAD tag).</summary>
    public abstract int TransportOverhead { get; }

    /// <summary>True when the remote static key is proven by the handshake (false in raw mode).</summary>
    public abstract bool Authenticates { get; }

    // Initiator: N, K, I, then A.
    public abstract int DeclareLength(int payloadLength);
    public abstract int WriteDeclare(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination);
    public abstract int KnockLength(int payloadLength);
    public abstract int WriteKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination);
    public abstract int TicketLength(int payloadLength);
    public abstract int WriteTicket(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination);
    /// <summary>Reads A; its payload (empty, or the extensions the responder accepts) is returned in a new array.</summary>
    public abstract bool TryReadAck(ReadOnlySpan<byte> message, out byte[] payload);

    // Responder: N, then K; or I; then A.
    /// <summary>Reads an N; the payload (the initiator's agent id as a JSON string) is returned in a new array.</summary>
    public abstract bool TryReadDeclare(ReadOnlySpan<byte> message, out byte[] payload);
    public abstract bool TryReadKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> message, out byte[] payload);
    /// <summary>Reads an I; <paramref name="remoteStatic"/> receives the initiator's static key when <see cref="Authenticates"/>.</summary>
    public abstract bool TryReadTicket(ReadOnlySpan<byte> message, Span<byte> remoteStatic, out byte[] payload);
    public abstract int AckLength(int payloadLength);
    public abstract int WriteAck(ReadOnlySpan<byte> payload, Span<byte> destination);

    // Transport (after A).
    public abstract int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination);
    public abstract bool TryDecrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written);

    public abstract void Dispose();
}
