namespace MyChips.Protocol.Peers;

/// <summary>Raw mode: every packet body is its plaintext payload; the A packet is empty.</summary>
internal sealed class RawCipher : ConnectionCipher
{
    public static readonly RawCipher Instance = new();

    public override int TransportOverhead => 0;
    public override bool Authenticates => false;

    public override int DeclareLength(int payloadLength) => payloadLength;
    public override int WriteDeclare(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination) => Copy(payload, destination);
    public override int KnockLength(int payloadLength) => payloadLength;
    public override int WriteKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination) => Copy(payload, destination);
    public override int TicketLength(int payloadLength) => payloadLength;
    public override int WriteTicket(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination) => Copy(payload, destination);
    public override bool TryReadAck(ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = message.ToArray();
        return true;
    }

    public override bool TryReadDeclare(ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = message.ToArray();
        return true;
    }

    public override bool TryReadKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = message.ToArray();
        return true;
    }

    public override bool TryReadTicket(ReadOnlySpan<byte> message, Span<byte> remoteStatic, out byte[] payload)
    {
        payload = message.ToArray();
        return true;
    }

    public override int AckLength(int payloadLength) => payloadLength;
    public override int WriteAck(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        payload.CopyTo(destination);
        return payload.Length;
    }

    public override int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination) => Copy(plaintext, destination);

    public override bool TryDecrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        written = Copy(ciphertext, destination);
        return true;
    }

    // Shared and stateless: nothing to release.
    public override void Dispose() { }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
