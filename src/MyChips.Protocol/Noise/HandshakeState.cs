using System.Security.Cryptography;
using MyChips.Protocol.Noise.Primitives;

namespace MyChips.Protocol.Noise;

/// <summary>
/// The spec's HandshakeState (section 5.3): runs a handshake pattern message by message into caller
/// buffers, then <see cref="Split"/>s into a <see cref="NoiseTransport"/>. A message that fails to write
/// or read leaves the state as it was before the call. Secrets are zeroed on Split and on Dispose.
/// </summary>
public sealed partial class HandshakeState : IDisposable
{
    private const int PskLength = 32;

    private readonly NoiseProtocol _protocol;
    private readonly HandshakePattern _pattern;
    private readonly NoiseProfile _profile;
    private readonly SymmetricState _symmetric;

    // Private key then public key, in pinned arrays zeroed when done.
    private readonly NoiseDh _dh;
    private readonly int _dhLength; // DHLEN: 32 for 25519, 56 for 448
    private readonly byte[] _localStatic;
    private readonly byte[] _localEphemeral;
    private readonly byte[] _remoteStatic;
    private readonly byte[] _remoteEphemeral;
    private readonly byte[] _preSharedKeys;
    private readonly byte[]? _fixedEphemeral;

    private bool _hasLocalStatic;
    private bool _hasLocalEphemeral;
    private bool _hasRemoteStatic;
    private bool _hasRemoteEphemeral;
    private int _messageIndex;
    private int _pskIndex;
    private bool _split;
    private bool _disposed;

    /// <summary>Initialize(): checks that the options carry every key the pattern needs for this role.</summary>
    public HandshakeState(NoiseProtocol protocol, NoiseRole role, NoiseHandshakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        options ??= new NoiseHandshakeOptions();
        protocol.Cipher.EnsureSupported();
        _protocol = protocol;
        _pattern = protocol.Pattern;
        _dh = protocol.Dh;
        _dhLength = _dh.DhLength;
        _localStatic = GC.AllocateArray<byte>(2 * _dhLength, pinned: true);
        _localEphemeral = GC.AllocateArray<byte>(2 * _dhLength, pinned: true);
        _remoteStatic = new byte[_dhLength];
        _remoteEphemeral = new byte[_dhLength];
        _profile = options.Profile ?? NoiseProfile.Strict;
        Role = role;

        var myPreMessage = role == NoiseRole.Initiator ? _pattern.InitiatorPreMessage : _pattern.ResponderPreMessage;
        var theirPreMessage = role == NoiseRole.Initiator ? _pattern.ResponderPreMessage : _pattern.InitiatorPreMessage;
        var needsLocalStatic = myPreMessage.Contains(NoiseToken.S)
            || _pattern.Messages.Any(m => m.Sender == role && m.Tokens.Contains(NoiseToken.S));
        if (myPreMessage.Contains(NoiseToken.E) || theirPreMessage.Contains(NoiseToken.E))
            throw new NotSupportedException($"Pattern '{_pattern.Name}' has an ephemeral key in a pre-message, which this engine does not support.");

        _preSharedKeys = GC.AllocateArray<byte>(_pattern.PskModifiers.Count * PskLength, pinned: true);
        try
        {
            if (needsLocalStatic)
            {
                if (options.LocalStaticPrivateKey.IsEmpty)
                    throw new ArgumentException($"{protocol.Name} needs the {Describe(role)}'s static private key (LocalStaticPrivateKey).", nameof(options));
                CheckKey(options.LocalStaticPrivateKey.Span, "LocalStaticPrivateKey");
                options.LocalStaticPrivateKey.Span.CopyTo(_localStatic);
                if (options.LocalStaticPublicKey.IsEmpty)
                {
                    _dh.DerivePublicKey(_localStatic.AsSpan(0, _dhLength), _localStatic.AsSpan(_dhLength));
                }
                else
                {
                    CheckKey(options.LocalStaticPublicKey.Span, "LocalStaticPublicKey");
                    options.LocalStaticPublicKey.Span.CopyTo(_localStatic.AsSpan(_dhLength));
                }
                _hasLocalStatic = true;
            }
            if (theirPreMessage.Contains(NoiseToken.S))
            {
                if (options.RemoteStaticPublicKey.IsEmpty)
                    throw new ArgumentException($"{protocol.Name} needs the {Describe(Other(role))}'s static public key in advance (RemoteStaticPublicKey).", nameof(options));
                CheckKey(options.RemoteStaticPublicKey.Span, "RemoteStaticPublicKey");
                options.RemoteStaticPublicKey.Span.CopyTo(_remoteStatic);
                _hasRemoteStatic = true;
            }

            var pskCount = _pattern.PskModifiers.Count;
            if (options.PreSharedKeys.Count != pskCount)
                throw new ArgumentException($"{protocol.Name} needs {pskCount} pre-shared key(s), one per psk modifier; {options.PreSharedKeys.Count} given.", nameof(options));
            for (var i = 0; i < pskCount; i++)
            {
                if (options.PreSharedKeys[i].Length != PskLength)
                    throw new ArgumentException($"Pre-shared key {i} is {options.PreSharedKeys[i].Length} bytes; a PSK is {PskLength}.", nameof(options));
                options.PreSharedKeys[i].Span.CopyTo(_preSharedKeys.AsSpan(i * PskLength));
            }
            if (!options.FixedEphemeralPrivateKey.IsEmpty)
            {
                CheckKey(options.FixedEphemeralPrivateKey.Span, "FixedEphemeralPrivateKey");
                _fixedEphemeral = GC.AllocateArray<byte>(_dhLength, pinned: true);
                options.FixedEphemeralPrivateKey.Span.CopyTo(_fixedEphemeral);
            }
        }
        catch
        {
            // A bad option must not leave copies of the keys already taken.
            ZeroKeyMaterial();
            throw;
        }

        _symmetric = new SymmetricState(protocol);
        _symmetric.MixHash(options.Prologue.Span);
        MixPreMessage(NoiseRole.Initiator, _pattern.InitiatorPreMessage);
        MixPreMessage(NoiseRole.Responder, _pattern.ResponderPreMessage);
    }

    public NoiseProtocol Protocol => _protocol;

    public NoiseRole Role { get; }

    /// <summary>True once every handshake message has been written or read; then call <see cref="Split"/>.</summary>
    public bool IsCompleted => _messageIndex == _pattern.Messages.Count;

    /// <summary>True when the next handshake message is this party's to write (false: read one).</summary>
    public bool WritesNextMessage => !IsCompleted && _pattern.Messages[_messageIndex].Sender == Role;

    /// <summary>The handshake hash h; once completed, the channel-binding value of spec 11.2.</summary>
    public ReadOnlySpan<byte> HandshakeHash
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _symmetric.HandshakeHash;
        }
    }

    /// <summary>The peer's static public key once known (pre-message or received), else empty.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _hasRemoteStatic ? _remoteStatic : default;

    /// <summary>This party's static public key, empty when the pattern uses none.</summary>
    public ReadOnlySpan<byte> LocalStaticPublicKey => _hasLocalStatic ? _localStatic.AsSpan(_dhLength) : default;

    /// <summary>Length of the next handshake message (whoever writes it) for a payload of this length.</summary>
    public int GetMessageLength(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return GetOverhead() + payloadLength;
    }

    /// <summary>Payload length of a next handshake message of this length; throws <see cref="NoiseException"/> when it is too short.</summary>
    public int GetPayloadLength(int messageLength)
    {
        var payload = messageLength - GetOverhead();
        if (payload < 0)
            throw new NoiseException(NoiseError.MessageTooShort, $"handshake message {_messageIndex + 1} of {_pattern.Name} is {messageLength} bytes, shorter than its keys and tags.");
        return payload;
    }

    /// <summary>
    /// Writes the next handshake message (keys, then the encrypted payload) into <paramref name="destination"/>,
    /// which must not overlap <paramref name="payload"/>; returns its length. Throws <see cref="NoiseException"/>
    /// (state unchanged) when the message would exceed the profile's limit or a peer key is unusable.
    /// </summary>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        EnsureTurn(write: true);
        var length = GetMessageLength(payload.Length);
        if (length > _profile.MaxMessageLength)
            throw new NoiseException(NoiseError.MessageTooLarge, $"a {length}-byte handshake message exceeds the {_profile.MaxMessageLength}-byte limit.");
        if (destination.Length < length)
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the message needs {length}.", nameof(destination));

        Span<byte> snapshot = stackalloc byte[_symmetric.SnapshotLength];
        var saved = Save(snapshot);
        try
        {
            var offset = 0;
            foreach (var token in _pattern.Messages[_messageIndex].Tokens)
            {
                switch (token)
                {
                    case NoiseToken.E:
                        NewEphemeral();
                        _localEphemeral.AsSpan(_dhLength).CopyTo(destination[offset..]);
                        _symmetric.MixHash(destination.Slice(offset, _dhLength));
                        if (_pattern.PskModifiers.Count > 0)
                            _symmetric.MixKey(destination.Slice(offset, _dhLength));
                        offset += _dhLength;
                        break;
                    case NoiseToken.S:
                        offset += _symmetric.EncryptAndHash(_localStatic.AsSpan(_dhLength), destination[offset..]);
                        break;
                    default:
                        MixToken(token);
                        break;
                }
            }
            offset += _symmetric.EncryptAndHash(payload, destination[offset..]);
            _messageIndex++;
            return offset;
        }
        catch
        {
            Restore(snapshot, saved);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(snapshot);
        }
    }

    /// <summary>
    /// Reads the next handshake message, writing its payload into <paramref name="payloadDestination"/>;
    /// returns the payload length. Throws <see cref="NoiseException"/> (with the state unchanged) when the
    /// message is too short, too long, fails to decrypt, or carries an unusable key.
    /// </summary>
    public int ReadMessage(ReadOnlySpan<byte> message, Span<byte> payloadDestination)
    {
        EnsureTurn(write: false);
        if (message.Length > _profile.MaxMessageLength)
            throw new NoiseException(NoiseError.MessageTooLarge, $"a {message.Length}-byte handshake message exceeds the {_profile.MaxMessageLength}-byte limit.");
        var payloadLength = GetPayloadLength(message.Length);
        if (payloadDestination.Length < payloadLength)
            throw new ArgumentException($"The payload destination holds {payloadDestination.Length} bytes; the payload needs {payloadLength}.", nameof(payloadDestination));

        Span<byte> snapshot = stackalloc byte[_symmetric.SnapshotLength];
        var saved = Save(snapshot);
        try
        {
            var offset = 0;
            foreach (var token in _pattern.Messages[_messageIndex].Tokens)
            {
                switch (token)
                {
                    case NoiseToken.E:
                        message.Slice(offset, _dhLength).CopyTo(_remoteEphemeral);
                        _hasRemoteEphemeral = true;
                        _symmetric.MixHash(_remoteEphemeral);
                        if (_pattern.PskModifiers.Count > 0)
                            _symmetric.MixKey(_remoteEphemeral);
                        offset += _dhLength;
                        break;
                    case NoiseToken.S:
                        var length = _symmetric.GetCiphertextLength(_dhLength);
                        _symmetric.DecryptAndHash(message.Slice(offset, length), _remoteStatic);
                        _hasRemoteStatic = true;
                        offset += length;
                        break;
                    default:
                        MixToken(token);
                        break;
                }
            }
            var written = _symmetric.DecryptAndHash(message[offset..], payloadDestination);
            _messageIndex++;
            return written;
        }
        catch
        {
            Restore(snapshot, saved);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(snapshot);
        }
    }

    /// <summary>
    /// After the last message: the transport, with keys assigned as the spec says (or swapped in the
    /// JavaScript-compatible profile). Zeroes the handshake's secrets; <see cref="HandshakeHash"/> stays readable.
    /// </summary>
    public NoiseTransport Split()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsCompleted)
            throw new InvalidOperationException($"Split needs a completed handshake; {_pattern.Name} is at message {_messageIndex + 1} of {_pattern.Messages.Count}.");
        if (_split)
            throw new InvalidOperationException("Split was already called on this handshake.");
        _split = true;

        var (first, second) = _symmetric.Split();
        ClearSecrets();
        var lastWriter = _pattern.Messages[^1].Sender;
        var initiatorSendsFirst = !(_profile.SwapTransportKeys && lastWriter == NoiseRole.Responder);
        var (initiatorSend, responderSend) = initiatorSendsFirst ? (first, second) : (second, first);
        if (_pattern.IsOneWay)
        {
            // Only the initiator sends; the second key is discarded (spec 7.4).
            second.Dispose();
            return Role == NoiseRole.Initiator
                ? new NoiseTransport(first, null, _profile.MaxMessageLength)
                : new NoiseTransport(null, first, _profile.MaxMessageLength);
        }
        return Role == NoiseRole.Initiator
            ? new NoiseTransport(initiatorSend, responderSend, _profile.MaxMessageLength)
            : new NoiseTransport(responderSend, initiatorSend, _profile.MaxMessageLength);
    }

    // For tests that check zeroing.
    internal ReadOnlySpan<byte> LocalStaticPrivateKey => _localStatic.AsSpan(0, _dhLength);

    internal ReadOnlySpan<byte> LocalEphemeralPrivateKey => _localEphemeral.AsSpan(0, _dhLength);

    internal ReadOnlySpan<byte> PreSharedKeyBytes => _preSharedKeys;

    internal SymmetricState Symmetric => _symmetric;

    /// <summary>Zeroes every secret and the handshake hash.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        ClearSecrets();
        _symmetric.Dispose();
    }

    private void ClearSecrets()
    {
        _symmetric.ClearSecrets();
        ZeroKeyMaterial();
        _hasLocalEphemeral = false;
    }

    private void ZeroKeyMaterial()
    {
        CryptographicOperations.ZeroMemory(_localStatic.AsSpan(0, _dhLength));
        CryptographicOperations.ZeroMemory(_localEphemeral);
        CryptographicOperations.ZeroMemory(_preSharedKeys);
        if (_fixedEphemeral is not null)
            CryptographicOperations.ZeroMemory(_fixedEphemeral);
    }
}
