using System.Security.Cryptography;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Noise;

/// <summary>The handshake's token processing (pre-messages, DH and key tokens), turn checks and rollback snapshots.</summary>
public sealed partial class HandshakeState
{
    private void MixPreMessage(NoiseRole owner, IReadOnlyList<NoiseToken> tokens)
    {
        foreach (var token in tokens)
        {
            // Only static keys appear in the supported pre-messages (checked in the constructor).
            _symmetric.MixHash(owner == Role ? _localStatic.AsSpan(_dhLength) : _remoteStatic);
        }
    }

    private void MixToken(NoiseToken token)
    {
        if (token == NoiseToken.Psk)
        {
            _symmetric.MixKeyAndHash(_preSharedKeys.AsSpan(_pskIndex * PskLength, PskLength));
            _pskIndex++;
            return;
        }
        var initiator = Role == NoiseRole.Initiator;
        var (useLocalStatic, useRemoteStatic) = token switch
        {
            NoiseToken.EE => (false, false),
            NoiseToken.ES => (!initiator, initiator),
            NoiseToken.SE => (initiator, !initiator),
            NoiseToken.SS => (true, true),
            _ => throw new InvalidOperationException($"Token {token} is not a DH token."),
        };
        var localPrivate = useLocalStatic ? LocalPrivate(_localStatic, _hasLocalStatic, "static") : LocalPrivate(_localEphemeral, _hasLocalEphemeral, "ephemeral");
        var remotePublic = useRemoteStatic ? Remote(_remoteStatic, _hasRemoteStatic, "static") : Remote(_remoteEphemeral, _hasRemoteEphemeral, "ephemeral");
        Span<byte> sharedSecret = stackalloc byte[_dhLength];
        try
        {
            _dh.Agree(localPrivate, remotePublic, sharedSecret);
            _symmetric.MixKey(sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private ReadOnlySpan<byte> LocalPrivate(byte[] pair, bool present, string kind) =>
        present ? pair.AsSpan(0, _dhLength) : throw new InvalidOperationException($"The local {kind} key is missing for a DH token.");

    private static ReadOnlySpan<byte> Remote(byte[] key, bool present, string kind) =>
        present ? key : throw new InvalidOperationException($"The remote {kind} key is missing for a DH token.");

    private void NewEphemeral()
    {
        var pair = _localEphemeral.AsSpan();
        if (_fixedEphemeral is not null)
        {
            _fixedEphemeral.CopyTo(pair);
            _dh.DerivePublicKey(pair[.._dhLength], pair[_dhLength..]);
        }
        else
        {
            _dh.GenerateKeyPair(pair[.._dhLength], pair[_dhLength..]);
        }
        _hasLocalEphemeral = true;
    }

    /// <summary>
    /// Bytes in the next message besides the payload: 32 per key,
    /// plus a tag on s and on the payload once a key is set (spec 5.3; an "e" sets one in PSK handshakes).
    /// </summary>
    private int GetOverhead()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsCompleted)
            throw new InvalidOperationException("The handshake is complete: call Split and use the transport.");
        var hasKey = _symmetric.HasKey;
        var bytes = 0;
        foreach (var token in _pattern.Messages[_messageIndex].Tokens)
        {
            switch (token)
            {
                case NoiseToken.E:
                    bytes += _dhLength;
                    hasKey |= _pattern.PskModifiers.Count > 0;
                    break;
                case NoiseToken.S:
                    bytes += _dhLength + (hasKey ? CipherState.TagLength : 0);
                    break;
                default:
                    hasKey = true;
                    break;
            }
        }
        return bytes + (hasKey ? CipherState.TagLength : 0);
    }

    private void EnsureTurn(bool write)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsCompleted)
            throw new InvalidOperationException("The handshake is complete: call Split and use the transport.");
        if (WritesNextMessage != write)
        {
            throw new InvalidOperationException(write
                ? $"Message {_messageIndex + 1} of {_pattern.Name} is the {Describe(Other(Role))}'s: read it instead."
                : $"Message {_messageIndex + 1} of {_pattern.Name} is ours to write, not to read.");
        }
    }

    private readonly record struct SavedFlags(ulong Nonce, bool HasKey, bool LocalEphemeral, bool RemoteStatic, bool RemoteEphemeral, int PskIndex);

    private SavedFlags Save(Span<byte> snapshot)
    {
        _symmetric.Save(snapshot, out var nonce, out var hasKey);
        return new SavedFlags(nonce, hasKey, _hasLocalEphemeral, _hasRemoteStatic, _hasRemoteEphemeral, _pskIndex);
    }

    private void Restore(ReadOnlySpan<byte> snapshot, SavedFlags saved)
    {
        _symmetric.Restore(snapshot, saved.Nonce, saved.HasKey);
        _hasLocalEphemeral = saved.LocalEphemeral;
        _hasRemoteStatic = saved.RemoteStatic;
        _hasRemoteEphemeral = saved.RemoteEphemeral;
        _pskIndex = saved.PskIndex;
    }

    private void CheckKey(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != _dhLength)
            throw new ArgumentException($"{name} is {key.Length} bytes; a {_dh.Name} key is {_dhLength}.");
    }

    private static NoiseRole Other(NoiseRole role) => role == NoiseRole.Initiator ? NoiseRole.Responder : NoiseRole.Initiator;

    private static string Describe(NoiseRole role) => role == NoiseRole.Initiator ? "initiator" : "responder";
}
