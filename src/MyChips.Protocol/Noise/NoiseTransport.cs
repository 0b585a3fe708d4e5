namespace MyChips.Protocol.Noise;

/// <summary>
/// The transport after a handshake: one CipherState per direction, associated data empty. Encrypt and
/// Decrypt allocate nothing; keys live in small pinned arrays zeroed by <see cref="Dispose"/>. After a
/// one-way handshake the initiator can only send and the responder only receive. The two directions
/// share no state: one thread may encrypt while another decrypts, but each direction takes one caller at a time.
/// </summary>
public sealed class NoiseTransport : IDisposable
{
    private readonly CipherState? _send;
    private readonly CipherState? _receive;
    private bool _disposed;

    internal NoiseTransport(CipherState? send, CipherState? receive, int maxMessageLength)
    {
        _send = send;
        _receive = receive;
        MaxMessageLength = maxMessageLength;
    }

    /// <summary>The AEAD tag each message carries.</summary>
    public const int TagLength = CipherState.TagLength;

    /// <summary>Longest ciphertext this transport writes or accepts (65535 in the strict profile).</summary>
    public int MaxMessageLength { get; }

    /// <summary>Longest plaintext one message can carry.</summary>
    public int MaxPlaintextLength => MaxMessageLength - TagLength;

    public bool CanSend => _send is not null;

    public bool CanReceive => _receive is not null;

    /// <summary>The nonce of the next message sent.</summary>
    public ulong SendNonce => Sender.Nonce;

    /// <summary>The nonce of the next message expected.</summary>
    public ulong ReceiveNonce => Receiver.Nonce;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (plaintext length + 16
    /// bytes); they may start at the same address (in place). Throws <see cref="NoiseException"/> when the
    /// message would exceed <see cref="MaxMessageLength"/> or the nonce is exhausted.
    /// </summary>
    public int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var sender = Sender;
        if (plaintext.Length > MaxPlaintextLength)
            throw new NoiseException(NoiseError.MessageTooLarge, $"a {plaintext.Length}-byte plaintext makes a message over the {MaxMessageLength}-byte limit.");
        return sender.EncryptWithAd(default, plaintext, destination);
    }

    /// <summary>Decrypts into <paramref name="destination"/> (ciphertext length - 16 bytes); throws <see cref="NoiseException"/> on a bad message, nonce unchanged.</summary>
    public int Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var receiver = Receiver;
        if (ciphertext.Length > MaxMessageLength)
            throw new NoiseException(NoiseError.MessageTooLarge, $"a {ciphertext.Length}-byte message exceeds the {MaxMessageLength}-byte limit.");
        return receiver.DecryptWithAd(default, ciphertext, destination);
    }

    /// <summary>
    /// Decrypts without throwing for a bad message (too long, too short, bad tag, nonce exhausted): false,
    /// nothing written, nonce unchanged. A destination too small for the plaintext still throws, as a caller bug.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        var receiver = Receiver;
        if (ciphertext.Length > MaxMessageLength)
        {
            written = 0;
            return false;
        }
        return receiver.TryDecrypt(default, ciphertext, destination, out written) is null;
    }

    /// <summary>Rekeys the sending direction (spec 11.3); the peer must rekey its receiving direction at the same point.</summary>
    public void RekeySend() => Sender.Rekey();

    /// <summary>Rekeys the receiving direction.</summary>
    public void RekeyReceive() => Receiver.Rekey();

    /// <summary>Sets the nonce expected next, for out-of-order transports (spec 11.4).</summary>
    public void SetReceiveNonce(ulong nonce) => Receiver.SetNonce(nonce);

    /// <summary>For tests of nonce exhaustion only.</summary>
    internal void SetSendNonce(ulong nonce) => Sender.SetNonce(nonce);

    internal CipherState? SendState => _send;

    internal CipherState? ReceiveState => _receive;

    /// <summary>Zeroes both keys.</summary>
    public void Dispose()
    {
        _disposed = true;
        _send?.Dispose();
        _receive?.Dispose();
    }

    private CipherState Sender
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _send ?? throw new InvalidOperationException("This side of a one-way handshake only receives.");
        }
    }

    private CipherState Receiver
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _receive ?? throw new InvalidOperationException("This side of a one-way handshake only sends.");
        }
    }
}
