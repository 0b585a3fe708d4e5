using System.Security.Cryptography;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Noise;

/// <summary>
/// The spec's CipherState (section 5.1): a key k and a nonce n. The key lives in a 32-byte pinned array
/// (never copied by the GC) that <see cref="Dispose"/> zeroes. Nonce 2^64-1 is reserved: reaching it is
/// an error. A failed decryption leaves the nonce where it was.
/// </summary>
public sealed class CipherState : IDisposable
{
    /// <summary>The reserved nonce, used only by Rekey.</summary>
    public const ulong MaxNonce = ulong.MaxValue;

    private readonly NoiseCipher _cipher;
    private readonly byte[] _key = GC.AllocateArray<byte>(NoiseCipher.KeyLength, pinned: true);

    internal CipherState(NoiseCipher cipher)
    {
        _cipher = cipher;
    }

    /// <summary>The AEAD tag length each encryption adds.</summary>
    public const int TagLength = NoiseCipher.TagLength;

    public bool HasKey { get; private set; }

    /// <summary>The nonce the next encryption or decryption uses.</summary>
    public ulong Nonce { get; private set; }

    internal ReadOnlySpan<byte> Key => _key;

    /// <summary>Sets the nonce (spec SetNonce), for out-of-order transport messages (spec 11.4).</summary>
    public void SetNonce(ulong nonce) => Nonce = nonce;

    internal void InitializeKey(ReadOnlySpan<byte> key)
    {
        key.CopyTo(_key);
        HasKey = true;
        Nonce = 0;
    }

    internal void ClearKey()
    {
        CryptographicOperations.ZeroMemory(_key);
        HasKey = false;
        Nonce = 0;
    }

    /// <summary>Restores a key and nonce saved before a handshake step that failed.</summary>
    internal void Restore(ReadOnlySpan<byte> key, bool hasKey, ulong nonce)
    {
        key.CopyTo(_key);
        HasKey = hasKey;
        Nonce = nonce;
    }

    /// <summary>Bytes <see cref="EncryptWithAd"/> writes for a plaintext of this length.</summary>
    public int GetCiphertextLength(int plaintextLength) => HasKey ? plaintextLength + TagLength : plaintextLength;

    /// <summary>
    /// ENCRYPT(k, n++, ad, plaintext) into <paramref name="destination"/>, or a copy of the plaintext while
    /// there is no key. <paramref name="plaintext"/> and <paramref name="destination"/> may start at the same address.
    /// </summary>
    public int EncryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var length = GetCiphertextLength(plaintext.Length);
        if (destination.Length < length)
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the ciphertext needs {length}.", nameof(destination));
        if (!HasKey)
        {
            plaintext.CopyTo(destination);
            return length;
        }
        if (Nonce == MaxNonce)
            throw new NoiseException(NoiseError.NonceExhausted, "the send nonce reached 2^64-1 (reserved); rekey cannot help, start a new session.");
        _cipher.Encrypt(_key, Nonce, ad, plaintext, destination[..length]);
        Nonce++;
        return length;
    }

    /// <summary>DECRYPT(k, n, ad, ciphertext); throws <see cref="NoiseException"/> on failure, with the nonce unchanged.</summary>
    public int DecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var error = TryDecrypt(ad, ciphertext, destination, out var written);
        return error switch
        {
            null => written,
            NoiseError.MessageTooShort => throw new NoiseException(error.Value, $"a ciphertext of {ciphertext.Length} bytes is shorter than the {TagLength}-byte tag."),
            NoiseError.NonceExhausted => throw new NoiseException(error.Value, "the receive nonce reached 2^64-1 (reserved)."),
            _ => throw new NoiseException(NoiseError.DecryptionFailed, "decryption failed (bad tag: wrong key or nonce, or a tampered message)."),
        };
    }

    /// <summary>DECRYPT without throwing for a bad message: false, nothing written, nonce unchanged.</summary>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written) =>
        TryDecrypt(ad, ciphertext, destination, out written) is null;

    internal NoiseError? TryDecrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        written = 0;
        if (!HasKey)
        {
            if (destination.Length < ciphertext.Length)
                throw new ArgumentException($"The destination holds {destination.Length} bytes; the plaintext needs {ciphertext.Length}.", nameof(destination));
            ciphertext.CopyTo(destination);
            written = ciphertext.Length;
            return null;
        }
        if (ciphertext.Length < TagLength)
            return NoiseError.MessageTooShort;
        var length = ciphertext.Length - TagLength;
        if (destination.Length < length)
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the plaintext needs {length}.", nameof(destination));
        if (Nonce == MaxNonce)
            return NoiseError.NonceExhausted;
        if (!_cipher.Decrypt(_key, Nonce, ad, ciphertext, destination[..length]))
            return NoiseError.DecryptionFailed;
        Nonce++;
        written = length;
        return null;
    }

    /// <summary>REKEY (spec 4.2/11.3): k = the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes). The nonce is kept.</summary>
    public void Rekey()
    {
        if (!HasKey)
            throw new InvalidOperationException("Rekey needs a key.");
        Span<byte> block = stackalloc byte[NoiseCipher.KeyLength + TagLength];
        block.Clear();
        _cipher.Encrypt(_key, MaxNonce, default, block[..NoiseCipher.KeyLength], block);
        block[..NoiseCipher.KeyLength].CopyTo(_key);
        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>Zeroes the key.</summary>
    public void Dispose() => ClearKey();
}
