using System.Security.Cryptography;
using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The encrypted modes: N (Noise_N, initiator's id), then KK (K and A), or IK (I and A); each a fresh
/// HandshakeState with an empty prologue; after A, the KK or IK transport. Only the transport's two small
/// key arrays stay for the connection's life.
/// </summary>
internal sealed class NoiseConnectionCipher(NoiseProfile profile, byte[] localStaticPrivateKey) : ConnectionCipher
{
    // Handshake message overheads of the patterns (keys and tags around the payload).
    private const int DeclareOverhead = 32 + 16;      // N:  e, es + payload tag
    private const int KnockOverhead = 32 + 16;        // KK: e, es, ss + payload tag
    private const int TicketOverhead = 32 + 48 + 16;  // IK: e, es, s (encrypted), ss + payload tag
    private const int AckOverhead = 32 + 16;          // KK/IK message 2: e, ee, se + empty payload tag

    private static readonly NoiseProtocol N = NoiseProtocol.Parse("Noise_N_25519_ChaChaPoly_BLAKE2b");
    private static readonly NoiseProtocol KK = NoiseProtocol.Parse("Noise_KK_25519_ChaChaPoly_BLAKE2b");
    private static readonly NoiseProtocol IK = NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_BLAKE2b");

    private HandshakeState? _handshake;
    private NoiseTransport? _transport;

    public override int TransportOverhead => NoiseTransport.TagLength;
    public override bool Authenticates => true;

    public override int DeclareLength(int payloadLength) => payloadLength + DeclareOverhead;
    public override int KnockLength(int payloadLength) => payloadLength + KnockOverhead;
    public override int TicketLength(int payloadLength) => payloadLength + TicketOverhead;
    public override int AckLength(int payloadLength) => payloadLength + AckOverhead;

    public override int WriteDeclare(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        using var declare = new HandshakeState(N, NoiseRole.Initiator, Options(remoteStatic, withLocal: false));
        return declare.WriteMessage(payload, destination);
    }

    public override int WriteKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        _handshake = new HandshakeState(KK, NoiseRole.Initiator, Options(remoteStatic, withLocal: true));
        return _handshake.WriteMessage(payload, destination);
    }

    public override int WriteTicket(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        _handshake = new HandshakeState(IK, NoiseRole.Initiator, Options(remoteStatic, withLocal: true));
        return _handshake.WriteMessage(payload, destination);
    }

    public override bool TryReadAck(ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = [];
        return _handshake is not null && TryRead(_handshake, message, out payload) && FinishHandshake();
    }

    public override bool TryReadDeclare(ReadOnlySpan<byte> message, out byte[] payload)
    {
        using var declare = new HandshakeState(N, NoiseRole.Responder, Options(default, withLocal: true));
        return TryRead(declare, message, out payload);
    }

    public override bool TryReadKnock(ReadOnlySpan<byte> remoteStatic, ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = [];
        if (remoteStatic.Length != 32) return false;
        try
        {
            _handshake = new HandshakeState(KK, NoiseRole.Responder, Options(remoteStatic, withLocal: true));
        }
        catch (ArgumentException)
        {
            // A trusted key that is no usable X25519 public key (small order) can authenticate nobody.
            return false;
        }
        return TryRead(_handshake, message, out payload);
    }

    public override bool TryReadTicket(ReadOnlySpan<byte> message, Span<byte> remoteStatic, out byte[] payload)
    {
        _handshake = new HandshakeState(IK, NoiseRole.Responder, Options(default, withLocal: true));
        if (!TryRead(_handshake, message, out payload)) return false;
        _handshake.RemoteStaticPublicKey.CopyTo(remoteStatic);
        return true;
    }

    public override int WriteAck(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var written = _handshake!.WriteMessage(payload, destination);
        FinishHandshake();
        return written;
    }

    public override int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination) => _transport!.Encrypt(plaintext, destination);

    public override bool TryDecrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        if (_transport is null)
        {
            written = 0;
            return false;
        }
        return _transport.TryDecrypt(ciphertext, destination, out written);
    }

    public override void Dispose()
    {
        _handshake?.Dispose();
        _handshake = null;
        _transport?.Dispose();
        CryptographicOperations.ZeroMemory(localStaticPrivateKey);
    }

    private bool FinishHandshake()
    {
        if (_handshake is not { IsCompleted: true } handshake) return false;
        _transport = handshake.Split();
        handshake.Dispose();
        _handshake = null;
        // The static private key is needed by no later message.
        CryptographicOperations.ZeroMemory(localStaticPrivateKey);
        return true;
    }

    private static bool TryRead(HandshakeState handshake, ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = [];
        try
        {
            var buffer = new byte[handshake.GetPayloadLength(message.Length)];
            var written = handshake.ReadMessage(message, buffer);
            payload = written == buffer.Length ? buffer : buffer[..written];
            return true;
        }
        catch (NoiseException)
        {
            return false;
        }
    }

    private NoiseHandshakeOptions Options(ReadOnlySpan<byte> remoteStatic, bool withLocal) => new()
    {
        Profile = profile,
        RemoteStaticPublicKey = remoteStatic.IsEmpty ? default : remoteStatic.ToArray(),
        LocalStaticPrivateKey = withLocal ? localStaticPrivateKey : default,
    };
}

/// <summary>Builds the cipher of a connection for the node's mode.</summary>
internal static class NoiseCipherFactory
{
    public static ConnectionCipher Create(PeerNodeOptions options)
    {
        var profile = options.Mode == PeerMode.MyChipsJs ? NoiseProfile.JavaScriptCompatible : NoiseProfile.Strict;
        return new NoiseConnectionCipher(profile, options.LocalKey.NoisePrivateKey.ToArray());
    }
}
