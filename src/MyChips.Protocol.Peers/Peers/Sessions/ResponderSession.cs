using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The responder's handshake: N names the agent and K proves it (Noise N, then KK), or I carries a ticket (Noise
/// IK); C offers extensions and A answers; on a strict connection with receipts the first message is held until the
/// initiator's first R or T proves it holds the session keys (a replayed K or I cannot).
/// </summary>
internal sealed class ResponderSession : PeerSession, IResponderActions
{
    private readonly ResponderConnection _machine;
    private PeerCapabilities? _offered; // what the initiator's C offered, if it sent one
    private byte[]? _heldPayload;       // the K or I message, until the connection opens

    public ResponderSession(PeerConnection connection) : base(connection) => _machine = new ResponderConnection(this);

    public override bool IsOpen => _machine.State == ResponderState.Open;

    public override bool Accepts(PacketType type) => _machine.Accepts(type);

    private NoiseDriver Crypto => Connection.Crypto;

    public override ValueTask<ActionOutcome> ReceiveAsync(PacketType type, byte[] message) => type switch
    {
        PacketType.Declare => ReadDeclareAsync(message),
        PacketType.Offer => _machine.ReceivedOfferAsync(message),
        PacketType.Knock => ReadKnockAsync(message),
        PacketType.Ticket => ReadTicketAsync(message),
        PacketType.Transport or PacketType.Receipt => ReadConfirmationAsync(type, message),
        _ => new(ActionOutcome.NotAllowed),
    };

    // ---- N, then K.

    private ValueTask<ActionOutcome> ReadDeclareAsync(byte[] message)
    {
        if (!Connection.TryOpen(PacketType.Declare, message, out var payload)) return new(Refused(CloseReason.BadMac));
        if (!AgentIdCodec.TryDecode(payload, out var agentId)) return new(Refused(CloseReason.MalformedPacket));
        return _machine.ReceivedDeclareAsync(agentId);
    }

    /// <summary>C: what the initiator offers; A answers it.</summary>
    ValueTask<ActionOutcome> IResponderActions.RecordOfferAsync(ReadOnlyMemory<byte> capabilities)
    {
        _offered = PeerCapabilitiesCodec.Decode(capabilities.Span);
        return new(ActionOutcome.Continue);
    }

    /// <summary>After N: load the key the provider trusts for the named agent, for the KK that follows.</summary>
    async ValueTask<ActionOutcome> IResponderActions.LoadPeerKeyAsync(string agentId)
    {
        if (!AgentId.TryParse(agentId, out var agent)) return Refused(CloseReason.MalformedPacket);
        AgentRecord? record;
        try
        {
            record = await Connection.Node.KeyProvider.FindAgentAsync(agent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (record is null) return Refused(CloseReason.UnknownAgent);
        if (Crypto.Encrypts)
        {
            // The key from the provider is the one enforced, whatever key the agent id names: KK checks it.
            var remoteStatic = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, remoteStatic)) return Refused(CloseReason.WrongKey);
            Crypto.UsePeerStaticKey(remoteStatic);
        }
        Connection.RemoteAgent = agent;
        return ActionOutcome.Continue;
    }

    private async ValueTask<ActionOutcome> ReadKnockAsync(byte[] message)
    {
        // KK fails here when the initiator does not hold the key the provider trusts for the agent it named.
        if (!Connection.TryOpen(PacketType.Knock, message, out var payload)) return Refused(CloseReason.WrongKey);
        if (!PeerMessageCodec.TryDecode(payload, out var element)) return Refused(CloseReason.MalformedPacket);
        _heldPayload = payload;
        var fresh = await CheckReplayAsync(message).ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        return await FireThenConfirmAsync(_machine.ReceivedKnockAsync(element)).ConfigureAwait(false);
    }

    /// <summary>
    /// A K or I decrypts again when replayed: its initiator ephemeral key (its first 32 bytes) is accepted once,
    /// whatever C offered, since an offer travels in the clear and can be stripped from a replay. A close outcome
    /// when the handshake must go no further.
    /// </summary>
    private async ValueTask<ActionOutcome> CheckReplayAsync(byte[] message)
    {
        if (!Crypto.Encrypts) return ActionOutcome.Continue; // raw mode has no keys to replay, and no defence
        try
        {
            return await Connection.Node.ReplayGuard.TryAcceptAsync(message.AsMemory(0, NoiseStaticKey.Length)).ConfigureAwait(false)
                ? ActionOutcome.Continue
                : Refused(CloseReason.Replayed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
    }

    ValueTask<ActionOutcome> IResponderActions.AcknowledgeKnockAsync(JsonElement peerMessage) => SendAckAsync();

    // ---- Or I.

    private async ValueTask<ActionOutcome> ReadTicketAsync(byte[] message)
    {
        if (!Connection.TryOpen(PacketType.Ticket, message, out var payload)) return Refused(CloseReason.BadMac);
        if (!PeerMessageCodec.TryDecode(payload, out var element)) return Refused(CloseReason.MalformedPacket);
        _heldPayload = payload;
        var fresh = await CheckReplayAsync(message).ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        var validated = await _machine.ReceivedTicketAsync(element).ConfigureAwait(false);
        if (validated.Continues) return await FireThenConfirmAsync(_machine.TicketAcceptedAsync()).ConfigureAwait(false);
        // A ticket the store refused closes through the spec's ticketRejected; any other refusal closes as it is.
        if (CloseReasonExtensions.FromTag(validated.Reason).IsTicketRefusal())
            await _machine.TicketRejectedAsync(validated.Reason!).ConfigureAwait(false);
        return validated;
    }

    /// <summary>After I: the proven static key must be the claimed agent's, and the ticket is redeemed (once).</summary>
    async ValueTask<ActionOutcome> IResponderActions.ValidateTicketAsync(JsonElement peerMessage)
    {
        if (!MessageJson.TryReadTicketRequest(peerMessage, out var token, out var from, out var fromAddress))
            return Refused(CloseReason.MalformedPacket);
        if (Crypto.Encrypts)
        {
            var claimed = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromAgent(from, claimed) || !claimed.AsSpan().SequenceEqual(Crypto.PeerStaticKey.Span))
                return Refused(CloseReason.WrongKey);
        }
        TicketRedemption redemption;
        try
        {
            redemption = await Connection.Node.TicketStore.RedeemAsync(new TicketPresentation(token, from, fromAddress)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (!redemption.Accepted)
        {
            return Refused(CloseReasonExtensions.FromRejection(redemption.Rejection));
        }
        Connection.RemoteAgent = from;
        return ActionOutcome.Continue;
    }

    ValueTask<ActionOutcome> IResponderActions.AcknowledgeTicketAsync() => SendAckAsync();

    // ---- A, then the initiator's proof.

    /// <summary>
    /// After K or I was accepted (A sent): an encrypted connection that negotiated receipts waits for the
    /// initiator's first R (or T), which a replayed K or I cannot produce; any other confirms at once (a peer
    /// without receipts sends no such proof, and the replay guard has already refused a replayed handshake).
    /// </summary>
    private async ValueTask<ActionOutcome> FireThenConfirmAsync(ValueTask<ActionOutcome> accepted)
    {
        var outcome = await accepted.ConfigureAwait(false);
        if (!outcome.Continues) return outcome;
        if (Connection.Receipts && Crypto.Encrypts) return outcome;
        return await _machine.KeysConfirmedAsync().ConfigureAwait(false);
    }

    private async ValueTask<ActionOutcome> SendAckAsync()
    {
        var outcome = ActionOutcome.Continue;
        await Connection.WriteLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Connection.IsClosed) return Refused(Connection.CloseReason);
            // A answers an offer with what is accepted; without an offer it is exactly the base protocol's empty A.
            var accepted = (_offered ?? PeerCapabilities.None) & PeerCapabilitiesCodec.Supported;
            var payload = _offered is null ? [] : PeerCapabilitiesCodec.Encode(accepted);
            Connection.WriteSealed(Connection.Output, PacketType.Ack, payload);
            Connection.Negotiated(accepted);
            await Connection.FlushAsync().ConfigureAwait(false);
            Connection.Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            outcome = Refused(CloseReason.SocketError);
        }
        finally
        {
            Connection.WriteLock.Release();
        }
        return outcome;
    }

    /// <summary>The initiator's first T or R after A, on a strict responder: decrypt, then fire (which releases the held message).</summary>
    private async ValueTask<ActionOutcome> ReadConfirmationAsync(PacketType type, byte[] message)
    {
        var body = new ReadOnlySequence<byte>(message);
        if (type == PacketType.Receipt)
        {
            var count = new byte[PeerConnection.ReceiptBodyLength];
            if (!Connection.TryReadReceipt(body, count)) return Refused(Connection.CloseReason);
            var confirmed = await _machine.ReceivedReceiptAsync(count).ConfigureAwait(false);
            if (!confirmed.Continues) return confirmed;
            // A count of messages never sent closes the connection there (Acknowledge): stop reading either way.
            return Connection.Acknowledge(BinaryPrimitives.ReadInt64BigEndian(count)) ? confirmed : Refused(Connection.CloseReason);
        }
        if (!Connection.TryReadTransport(body, out var plaintext)) return Refused(Connection.CloseReason);
        if (!PeerMessageCodec.TryDecode(plaintext, out var element)) return Refused(CloseReason.MalformedPacket);
        var opened = await _machine.ReceivedTransportAsync(element).ConfigureAwait(false);
        if (opened.Continues) Connection.Deliver(plaintext);
        return opened;
    }

    ValueTask<ActionOutcome> IResponderActions.ConfirmByTransportAsync(JsonElement peerMessage) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmWithoutProofAsync() => ReleaseFirstMessage();

    /// <summary>The responder's connection is open: the held K or I message goes to the application first.</summary>
    private ValueTask<ActionOutcome> ReleaseFirstMessage()
    {
        Connection.MarkOpen();
        if (_heldPayload is { } held)
        {
            _heldPayload = null;
            Connection.Deliver(held);
        }
        return new(ActionOutcome.Continue);
    }

    public override async ValueTask EndAsync(CloseReason reason) => _ = reason switch
    {
        CloseReason.HandshakeTimeout => await _machine.HandshakeTimedOutAsync().ConfigureAwait(false),
        CloseReason.IdleTimeout => await _machine.IdleTimedOutAsync().ConfigureAwait(false),
        CloseReason.LocalClosed => await _machine.CloseAsync().ConfigureAwait(false),
        _ => await _machine.FailedAsync(reason.ToTag()).ConfigureAwait(false),
    };

}
