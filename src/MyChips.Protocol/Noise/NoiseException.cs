namespace MyChips.Protocol.Noise;

/// <summary>Why a Noise operation refused a message.</summary>
public enum NoiseError
{
    /// <summary>The AEAD tag did not verify: wrong key, wrong nonce, or a tampered message.</summary>
    DecryptionFailed,

    /// <summary>The message is shorter than the pattern requires.</summary>
    MessageTooShort,

    /// <summary>The message (or the one that would be written) exceeds the profile's maximum length.</summary>
    MessageTooLarge,

    /// <summary>The nonce reached 2^64-1, which is reserved; the cipher state can send or receive no more.</summary>
    NonceExhausted,

    /// <summary>A public key received or configured is unusable (small order).</summary>
    InvalidPublicKey,
}

/// <summary>A Noise handshake or transport message was refused; <see cref="Reason"/> says why.</summary>
public sealed class NoiseException : Exception
{
    public NoiseException(NoiseError reason, string message)
        : base($"Noise: {message}")
    {
        Reason = reason;
    }

    public NoiseError Reason { get; }
}
