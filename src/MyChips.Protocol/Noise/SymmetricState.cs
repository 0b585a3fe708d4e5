using System.Security.Cryptography;
using System.Text;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Noise;

/// <summary>
/// The spec's SymmetricState (section 5.2): chaining key ck, handshake hash h and a CipherState.
/// ck and h live in pinned arrays zeroed on <see cref="Dispose"/>.
/// </summary>
public sealed class SymmetricState : IDisposable
{
    private readonly NoiseProtocol _protocol;
    private readonly NoiseHash _hash;
    private readonly byte[] _chainingKey;
    private readonly byte[] _handshakeHash;
    private readonly CipherState _cipherState;

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    public SymmetricState(NoiseProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        protocol.Cipher.EnsureSupported();
        _protocol = protocol;
        _hash = protocol.CreateHash();
        _chainingKey = GC.AllocateArray<byte>(_hash.HashLength, pinned: true);
        _handshakeHash = GC.AllocateArray<byte>(_hash.HashLength, pinned: true);
        _cipherState = new CipherState(protocol.Cipher);

        var name = Encoding.ASCII.GetBytes(protocol.Name);
        if (name.Length <= _hash.HashLength)
            name.CopyTo(_handshakeHash, 0);
        else
            _hash.Hash(name, default, _handshakeHash);
        _handshakeHash.CopyTo(_chainingKey, 0);
    }

    /// <summary>HASHLEN of the protocol's hash.</summary>
    public int HashLength => _hash.HashLength;

    /// <summary>h: after the handshake, a unique channel identifier for channel binding (spec 11.2).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>Whether the inner CipherState has a key (handshake payloads are encrypted).</summary>
    public bool HasKey => _cipherState.HasKey;

    internal ReadOnlySpan<byte> ChainingKey => _chainingKey;

    internal CipherState CipherState => _cipherState;

    internal int SnapshotLength => 2 * _hash.HashLength + NoiseCipher.KeyLength;

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempKey = stackalloc byte[_hash.HashLength];
        _hash.Hkdf(_chainingKey, inputKeyMaterial, _chainingKey, tempKey, default);
        _cipherState.InitializeKey(tempKey[..NoiseCipher.KeyLength]);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    public void MixHash(ReadOnlySpan<byte> data) => _hash.Hash(_handshakeHash, data, _handshakeHash);

    public void MixKeyAndHash(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempHash = stackalloc byte[_hash.HashLength];
        Span<byte> tempKey = stackalloc byte[_hash.HashLength];
        _hash.Hkdf(_chainingKey, inputKeyMaterial, _chainingKey, tempHash, tempKey);
        MixHash(tempHash);
        _cipherState.InitializeKey(tempKey[..NoiseCipher.KeyLength]);
        CryptographicOperations.ZeroMemory(tempHash);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>Bytes <see cref="EncryptAndHash"/> writes for this plaintext length now.</summary>
    public int GetCiphertextLength(int plaintextLength) => _cipherState.GetCiphertextLength(plaintextLength);

    /// <summary>EncryptAndHash: encrypts with h as associated data, then mixes the ciphertext into h.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var written = _cipherState.EncryptWithAd(_handshakeHash, plaintext, destination);
        MixHash(destination[..written]);
        return written;
    }

    /// <summary>
    /// DecryptAndHash. The new h is computed before decrypting, so the ciphertext may be overwritten by the
    /// plaintext; on failure nothing changes and a <see cref="NoiseException"/> is thrown.
    /// </summary>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        Span<byte> nextHash = stackalloc byte[_hash.HashLength];
        _hash.Hash(_handshakeHash, ciphertext, nextHash);
        var written = _cipherState.DecryptWithAd(_handshakeHash, ciphertext, destination);
        nextHash.CopyTo(_handshakeHash);
        return written;
    }

    /// <summary>Split(): the two transport CipherStates (initiator-to-responder first).</summary>
    public (CipherState First, CipherState Second) Split()
    {
        Span<byte> key1 = stackalloc byte[_hash.HashLength];
        Span<byte> key2 = stackalloc byte[_hash.HashLength];
        _hash.Hkdf(_chainingKey, default, key1, key2, default);
        var first = new CipherState(_protocol.Cipher);
        var second = new CipherState(_protocol.Cipher);
        first.InitializeKey(key1[..NoiseCipher.KeyLength]);
        second.InitializeKey(key2[..NoiseCipher.KeyLength]);
        CryptographicOperations.ZeroMemory(key1);
        CryptographicOperations.ZeroMemory(key2);
        return (first, second);
    }

    /// <summary>Saves ck, h and k (and returns n and whether k is set) so that a failed step can be undone.</summary>
    internal void Save(Span<byte> snapshot, out ulong nonce, out bool hasKey)
    {
        var hashLength = _hash.HashLength;
        _chainingKey.CopyTo(snapshot);
        _handshakeHash.CopyTo(snapshot[hashLength..]);
        _cipherState.Key.CopyTo(snapshot[(2 * hashLength)..]);
        nonce = _cipherState.Nonce;
        hasKey = _cipherState.HasKey;
    }

    internal void Restore(ReadOnlySpan<byte> snapshot, ulong nonce, bool hasKey)
    {
        var hashLength = _hash.HashLength;
        snapshot[..hashLength].CopyTo(_chainingKey);
        snapshot.Slice(hashLength, hashLength).CopyTo(_handshakeHash);
        _cipherState.Restore(snapshot.Slice(2 * hashLength, NoiseCipher.KeyLength), hasKey, nonce);
    }

    /// <summary>Zeroes the chaining key and the handshake key; h stays readable for channel binding.</summary>
    internal void ClearSecrets()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        _cipherState.ClearKey();
    }

    /// <summary>Zeroes ck, h and k.</summary>
    public void Dispose()
    {
        ClearSecrets();
        CryptographicOperations.ZeroMemory(_handshakeHash);
        _hash.Dispose();
    }
}
