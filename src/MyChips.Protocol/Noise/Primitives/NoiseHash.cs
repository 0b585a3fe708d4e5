using System.Security.Cryptography;

namespace MyChips.Protocol.Noise.Primitives;

/// <summary>
/// A Noise hash function (spec section 4.3) with the HMAC and HKDF the spec builds on it: HMAC over the
/// hash's block (RFC 2104), never keyed BLAKE2. One instance per handshake; it is incremental and reusable.
/// </summary>
internal abstract class NoiseHash : IDisposable
{
    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5c;

    public abstract string Name { get; }

    /// <summary>HASHLEN: 32 or 64.</summary>
    public abstract int HashLength { get; }

    /// <summary>BLOCKLEN: 64 or 128.</summary>
    public abstract int BlockLength { get; }

    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>Writes the digest of everything appended and starts over.</summary>
    public abstract void Finish(Span<byte> output);

    public abstract void Dispose();

    public static bool IsKnown(string name) => name is "SHA256" or "SHA512" or "BLAKE2b" or "BLAKE2s";

    public static NoiseHash Create(string name) => name switch
    {
        "SHA256" => new ShaHash(HashAlgorithmName.SHA256, "SHA256", 32, 64),
        "SHA512" => new ShaHash(HashAlgorithmName.SHA512, "SHA512", 64, 128),
        "BLAKE2b" => new Blake2bHash(),
        "BLAKE2s" => new Blake2sHash(),
        _ => throw new NotSupportedException($"Noise hash '{name}' is not supported (SHA256, SHA512, BLAKE2b, BLAKE2s are)."),
    };

    /// <summary>HASH(a || b) into <paramref name="output"/>.</summary>
    public void Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        Append(a);
        Append(b);
        Finish(output);
    }

    /// <summary>HMAC-HASH(key, data1 || data2); the key is at most BLOCKLEN bytes (always HASHLEN in Noise).</summary>
    public void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data1, ReadOnlySpan<byte> data2, Span<byte> output)
    {
        if (key.Length > BlockLength)
            throw new ArgumentException("HMAC key longer than the hash block.", nameof(key));
        Span<byte> pad = stackalloc byte[BlockLength];
        Span<byte> inner = stackalloc byte[HashLength];
        pad.Clear();
        key.CopyTo(pad);
        for (var i = 0; i < pad.Length; i++)
            pad[i] ^= InnerPad;
        Append(pad);
        Append(data1);
        Append(data2);
        Finish(inner);
        for (var i = 0; i < pad.Length; i++)
            pad[i] ^= InnerPad ^ OuterPad;
        Append(pad);
        Append(inner);
        Finish(output);
        CryptographicOperations.ZeroMemory(pad);
        CryptographicOperations.ZeroMemory(inner);
    }

    /// <summary>
    /// HKDF(chaining_key, input_key_material, 2 or 3) of spec section 4.3. <paramref name="output3"/> empty
    /// means two outputs. <paramref name="output1"/> may be the chaining key's own memory.
    /// </summary>
    public void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2, Span<byte> output3)
    {
        Span<byte> tempKey = stackalloc byte[HashLength];
        Span<byte> counter = stackalloc byte[1];
        Hmac(chainingKey, inputKeyMaterial, default, tempKey);
        counter[0] = 1;
        Hmac(tempKey, counter, default, output1);
        counter[0] = 2;
        Hmac(tempKey, output1, counter, output2);
        if (!output3.IsEmpty)
        {
            counter[0] = 3;
            Hmac(tempKey, output2, counter, output3);
        }
        CryptographicOperations.ZeroMemory(tempKey);
    }
}
