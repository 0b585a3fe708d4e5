using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The responder's handshake: N names the agent and K proves it (Noise N, then KK), or I carries a ticket (Noise
/// IK); C offers extensions and A answers; on a strict connection with receipts the first message is held until the
/// initiator's first R or T proves it holds the session keys (a replayed K or I cannot).
/// </summary>
internal sealed class ResponderSession : PeerSession<ResponderConnection>, IResponderActions
{
    private const int EphemeralKeyLength = 32;

    private PeerCapabilities? _offered; // what the initiator's C offered, if it sent one
    private byte[]? _ephemeral;         // the K or I's first 32 bytes (the initiator's ephemeral key), for the replay guard
    private byte[]? _heldPayload;       // the K or I message, until the connection opens

    public ResponderSession(PeerNode node, long id, EndPoint? remote, long createdAt, InboundAdmission.Lease lease)
        : base(node, id, ConnectionDirection.Inbound, remote, createdAt, lease)
    {
    }

    protected override bool IsOpenState => Machine.State == ResponderState.Open;

    /// <summary>
    /// K and I are noted as they came (their ephemeral key, for the replay guard) and left to the engine, which opens
    /// them; the initiator's proof in the confirming state is read here, as traffic.
    /// </summary>
    protected override ValueTask<ActionOutcome?> ReceiveHandshakeAsync(PacketType type, in ReadOnlySequence<byte> body)
    {
        switch (type)
        {
            case PacketType.Knock or PacketType.Ticket:
                if (Encrypts && body.Length >= EphemeralKeyLength) _ephemeral = body.Slice(0, EphemeralKeyLength).ToArray();
                return new((ActionOutcome?)null);
            case PacketType.Receipt:
                var count = new byte[PeerConnection.ReceiptBodyLength];
                var read = Peer.TryReadReceipt(body, count);
                return read.Continues ? ConfirmByReceiptAsync(count) : new(read);
            case PacketType.Transport:
                var opened = Peer.TryReadTransport(body, out var plaintext);
                return opened.Continues ? ConfirmByTransportAsync(plaintext!) : new(opened);
            default:
                return new((ActionOutcome?)null);
        }
    }

    // ---- N, then K.

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
            record = await Peer.Node.KeyProvider.FindAgentAsync(agent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (record is null) return Refused(CloseReason.UnknownAgent);
        if (Encrypts)
        {
            // The key from the provider is the one enforced, whatever key the agent id names: KK checks it.
            var remoteStatic = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, remoteStatic)) return Refused(CloseReason.WrongKey);
            Connection.UsePeerStaticKey(remoteStatic);
        }
        Peer.RemoteAgent = agent;
        return ActionOutcome.Continue;
    }

    /// <summary>K opened (KK proved the key) and decoded: refused when replayed, else A.</summary>
    async ValueTask<ActionOutcome> IResponderActions.AcknowledgeKnockAsync(JsonElement peerMessage)
    {
        var fresh = await CheckReplayAsync().ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        Hold(peerMessage);
        return await AcknowledgeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A K or I decrypts again when replayed: its initiator ephemeral key (its first 32 bytes) is accepted once,
    /// whatever C offered, since an offer travels in the clear and can be stripped from a replay. A close outcome
    /// when the handshake must go no further.
    /// </summary>
    private async ValueTask<ActionOutcome> CheckReplayAsync()
    {
        if (!Encrypts) return ActionOutcome.Continue; // raw mode has no keys to replay, and no defence
        if (_ephemeral is not { } ephemeral) return Refused(CloseReason.MalformedPacket);
        _ephemeral = null; // checked once; an idle connection holds nothing of its handshake
        try
        {
            return await Peer.Node.ReplayGuard.TryAcceptAsync(ephemeral).ConfigureAwait(false)
                ? ActionOutcome.Continue
                : Refused(CloseReason.Replayed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
    }

    // ---- Or I.

    /// <summary>After I: refused when replayed; the proven static key must be the claimed agent's, and the ticket is redeemed (once).</summary>
    async ValueTask<ActionOutcome> IResponderActions.ValidateTicketAsync(JsonElement peerMessage)
    {
        var fresh = await CheckReplayAsync().ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        if (!MessageJson.TryReadTicketRequest(peerMessage, out var token, out var from, out var fromAddress))
            return Refused(CloseReason.MalformedPacket);
        if (Encrypts)
        {
            var claimed = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromAgent(from, claimed) || !claimed.AsSpan().SequenceEqual(Connection.PeerStaticKey.Span))
                return Refused(CloseReason.WrongKey);
        }
        TicketRedemption redemption;
        try
        {
            redemption = await Peer.Node.TicketStore.RedeemAsync(new TicketPresentation(token, from, fromAddress)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (!redemption.Accepted)
        {
            // A ticket the store refused closes through the spec's ticketRejected.
            var refusal = CloseReasonExtensions.FromRejection(redemption.Rejection);
            await Machine.TicketRejectedAsync(refusal.ToTag()).ConfigureAwait(false);
            return Refused(refusal);
        }
        Peer.RemoteAgent = from;
        Hold(peerMessage);
        return await Machine.TicketAcceptedAsync().ConfigureAwait(false);
    }

    ValueTask<ActionOutcome> IResponderActions.AcknowledgeTicketAsync() => AcknowledgeAsync();

    /// <summary>The K or I message goes to the application once the connection opens.</summary>
    private void Hold(JsonElement peerMessage) => _heldPayload = JsonMarshal.GetRawUtf8Value(peerMessage).ToArray();

    // ---- A, then the initiator's proof.

    /// <summary>
    /// Sends A. Then an encrypted connection that negotiated receipts waits for the initiator's first R (or T), which
    /// a replayed K or I cannot produce; any other confirms at once (a peer without receipts sends no such proof, and
    /// the replay guard has already refused a replayed handshake).
    /// </summary>
    private async ValueTask<ActionOutcome> AcknowledgeAsync()
    {
        // A answers an offer with what is accepted; without an offer it is exactly the base protocol's empty A.
        var accepted = (_offered ?? PeerCapabilities.None) & PeerCapabilitiesCodec.Supported;
        var payload = _offered is null ? [] : PeerCapabilitiesCodec.Encode(accepted);
        await Connection.SendAsync((byte)PacketType.Ack, payload).ConfigureAwait(false);
        Peer.Negotiated(accepted);
        if (Peer.Receipts && Encrypts) return ActionOutcome.Continue;
        var confirmed = await Machine.KeysConfirmedAsync().ConfigureAwait(false);
        await Peer.DeliverWaitingAsync().ConfigureAwait(false); // the held message, if the application's queue was full
        return confirmed;
    }

    /// <summary>The initiator's first R after A, on a strict responder: fire (which releases the held message), then count it.</summary>
    private async ValueTask<ActionOutcome?> ConfirmByReceiptAsync(byte[] count)
    {
        var confirmed = await Machine.ReceivedReceiptAsync(count).ConfigureAwait(false);
        return confirmed.Continues ? Peer.Acknowledge(BinaryPrimitives.ReadInt64BigEndian(count)) : confirmed;
    }

    /// <summary>The initiator's first T after A: fire (which releases the held message), then deliver it after.</summary>
    private async ValueTask<ActionOutcome?> ConfirmByTransportAsync(byte[] plaintext)
    {
        if (!PeerMessageCodec.TryDecode(plaintext, out var element)) return Refused(CloseReason.MalformedPacket);
        var opened = await Machine.ReceivedTransportAsync(element).ConfigureAwait(false);
        if (!opened.Continues) return opened;
        Peer.Deliver(plaintext);
        Peer.ReceiptIfDue();
        await Peer.DeliverWaitingAsync().ConfigureAwait(false);
        return opened;
    }

    ValueTask<ActionOutcome> IResponderActions.ConfirmByTransportAsync(JsonElement peerMessage) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmWithoutProofAsync() => ReleaseFirstMessage();

    /// <summary>The responder's connection is open: the held K or I message goes to the application first.</summary>
    private ValueTask<ActionOutcome> ReleaseFirstMessage()
    {
        Peer.MarkOpen();
        if (_heldPayload is { } held)
        {
            _heldPayload = null;
            Peer.Deliver(held);
        }
        Peer.ReceiptIfDue();
        return new(ActionOutcome.Continue);
    }
}
