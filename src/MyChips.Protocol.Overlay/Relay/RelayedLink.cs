using System.Text;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Relay;

/// <summary>
/// A direct channel to a contact that runs through a relay's circuit: a Noise IK handshake end to end (the dialer
/// knows its contact's key), then messages encrypted with the keys only the two ends hold. The relay carries each
/// as opaque bytes: a kind byte (0 handshake, 1 transport) and the Noise message. Only messages travel on it.
/// </summary>
internal sealed class RelayedLink : IOverlayLink
{
    private const byte Handshake = 0;
    private const byte Transport = 1;
    private static readonly NoiseProtocol Protocol = NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_BLAKE2b");
    private static readonly byte[] Prologue = "overlay relayed 1"u8.ToArray();

    private readonly IOverlayLink _relay;
    private readonly IOverlayHandler _handler;
    private readonly Action<RelayedLink> _ended;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HandshakeState? _handshake;
    private NoiseTransport? _transport;
    private volatile bool _closed;

    private RelayedLink(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> peerKey, HandshakeState handshake, IOverlayHandler handler, Action<RelayedLink> ended)
    {
        (_relay, Circuit, _handshake, _handler, _ended) = (relay, circuit, handshake, handler, ended);
        Peer = PeerInfo.From(peerKey.ToArray(), null);
    }

    public uint Circuit { get; }

    public IOverlayLink Relay => _relay;

    public PeerInfo Peer { get; }

    public bool IsOpen => !_closed && _transport is not null && _relay.IsOpen;

    /// <summary>Completes when the end-to-end handshake did, or fails with the reason it could not.</summary>
    public Task Ready => _ready.Task;

    /// <summary>The dialing end, for the contact whose key it knows; <see cref="GreetAsync"/> sends the first IK message.</summary>
    public static RelayedLink Dial(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> localPrivateKey, ReadOnlyMemory<byte> contactKey, IOverlayHandler handler, Action<RelayedLink> ended) =>
        new(relay, circuit, contactKey, new HandshakeState(Protocol, NoiseRole.Initiator, new NoiseHandshakeOptions
        {
            Prologue = Prologue,
            LocalStaticPrivateKey = localPrivateKey,
            RemoteStaticPublicKey = contactKey,
        }), handler, ended);

    /// <summary>Sends the dialer's first handshake message (once the link is registered for the answer).</summary>
    public async Task GreetAsync()
    {
        var handshake = _handshake ?? throw new InvalidOperationException("The handshake has begun already.");
        var message = new byte[1 + handshake.GetMessageLength(0)];
        message[0] = Handshake;
        var length = handshake.WriteMessage([], message.AsSpan(1));
        await _relay.SendRelayedAsync(Circuit, message.AsMemory(0, 1 + length)).ConfigureAwait(false);
    }

    /// <summary>The reserved end: waits for the dialer's first message, which must come from <paramref name="sourceKey"/>.</summary>
    public static RelayedLink Accept(IOverlayLink relay, uint circuit, ReadOnlyMemory<byte> localPrivateKey, ReadOnlyMemory<byte> sourceKey, IOverlayHandler handler, Action<RelayedLink> ended) =>
        new(relay, circuit, sourceKey, new HandshakeState(Protocol, NoiseRole.Responder, new NoiseHandshakeOptions { Prologue = Prologue, LocalStaticPrivateKey = localPrivateKey }), handler, ended);

    /// <summary>What came on the circuit; a reason if it must be closed.</summary>
    public async ValueTask<string?> ReceiveAsync(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty) return "an empty relayed chunk";
        try
        {
            if (data.Span[0] == Handshake && _handshake is { } handshake) return await ContinueHandshakeAsync(handshake, data[1..]).ConfigureAwait(false);
            if (data.Span[0] != Transport || _transport is null) return "a relayed chunk out of order";
            var plain = new byte[data.Length];
            int length;
            await _sending.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!_transport.TryDecrypt(data.Span[1..], plain, out length)) return "a relayed message that does not decrypt";
            }
            finally
            {
                _sending.Release();
            }
            await _handler.OnTextAsync(this, Encoding.UTF8.GetString(plain, 0, length)).ConfigureAwait(false);
            return null;
        }
        catch (NoiseException e)
        {
            return $"the end-to-end handshake failed: {e.Message}";
        }
    }

    private async ValueTask<string?> ContinueHandshakeAsync(HandshakeState handshake, ReadOnlyMemory<byte> message)
    {
        handshake.ReadMessage(message.Span, new byte[message.Length]);
        if (handshake.Role == NoiseRole.Responder)
        {
            if (!handshake.RemoteStaticPublicKey.SequenceEqual(Peer.PublicKey.Span)) return "the circuit's source key is not the one the relay named";
            var answer = new byte[1 + handshake.GetMessageLength(0)];
            answer[0] = Handshake;
            var length = handshake.WriteMessage([], answer.AsSpan(1));
            await _relay.SendRelayedAsync(Circuit, answer.AsMemory(0, 1 + length)).ConfigureAwait(false);
        }
        _transport = handshake.Split();
        handshake.Dispose();
        _handshake = null;
        _ready.TrySetResult();
        _handler.OnLinkOpened(this);
        return null;
    }

    public async ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        if (!IsOpen) throw new OverlayUnreachableException($"the relayed channel to {Peer} is closed");
        var plain = Encoding.UTF8.GetBytes(text);
        var message = new byte[1 + plain.Length + NoiseTransport.TagLength];
        message[0] = Transport;
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var length = _transport!.Encrypt(plain, message.AsSpan(1)); // encrypted and queued in nonce order
            await _relay.SendRelayedAsync(Circuit, message.AsMemory(0, 1 + length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The circuit ended, for this reason.</summary>
    public void Ended(string reason)
    {
        if (_closed) return;
        _closed = true;
        _ready.TrySetException(new OverlayUnreachableException($"the relayed channel closed: {reason}"));
        _handler.OnLinkClosed(this);
        _ended(this);
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed) return;
        Ended("closed by this side");
        try
        {
            await _relay.HangupAsync(Circuit, "closed").ConfigureAwait(false);
        }
        catch (OverlayUnreachableException)
        {
            // the relay is gone already
        }
    }

    private static OverlayUnreachableException OnlyMessages() => new("only messages travel on a relayed channel");

    public ValueTask<IReadOnlyList<PeerInfo>> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask PingAsync(CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask SendFindMeAsync(FindMePacket packet, CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask<RelayReservation> ReserveAsync(CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask<DialOutcome> DialAsync(ReadOnlyMemory<byte> targetKey, CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask OpenCircuitAsync(uint circuit, ReadOnlyMemory<byte> sourceKey, CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask SendRelayedAsync(uint circuit, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => throw OnlyMessages();

    public ValueTask HangupAsync(uint circuit, string? reason, CancellationToken cancellationToken = default) => throw OnlyMessages();
}
