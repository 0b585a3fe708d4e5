using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The connection's life as the spec's machines say: packets before the open state are decrypted and
/// decoded here, then fired into the machine, whose actions (the spec's <c>do</c> clauses) are below.
/// Every step returns its outcome; one that refuses names its <see cref="CloseReason"/> by tag, and the
/// connection then closes silently with that reason.
/// </summary>
internal sealed partial class PeerConnection
{
    private async ValueTask<bool> HandleLifecycleAsync(PacketType type, ReadOnlySequence<byte> body)
    {
        // Handshake bodies are small and rare: one contiguous copy keeps the code simple.
        var message = body.ToArray();
        var outcome = type switch
        {
            PacketType.Declare => await ReadDeclareAsync(message).ConfigureAwait(false),
            PacketType.Offer => await _responder!.ReceivedOfferAsync(message).ConfigureAwait(false),
            PacketType.Knock => await ReadKnockAsync(message).ConfigureAwait(false),
            PacketType.Ticket => await ReadTicketAsync(message).ConfigureAwait(false),
            PacketType.Ack => await ReadAckAsync(message).ConfigureAwait(false),
            PacketType.Transport or PacketType.Receipt => await ReadConfirmationAsync(type, message).ConfigureAwait(false),
            _ => ActionOutcome.NotAllowed,
        };
        return outcome.Kind switch
        {
            ActionOutcomeKind.Continue => true,
            ActionOutcomeKind.Close => Refuse(CloseReasonExtensions.FromTag(outcome.Reason) is var reason && reason != CloseReason.None ? reason : CloseReason.PacketNotAllowed),
            // Accepts() said yes, so this is a guard or a body the machine could not take.
            _ => Refuse(CloseReason.PacketNotAllowed),
        };
    }

    private bool Refuse(CloseReason reason)
    {
        Close(reason);
        return false;
    }

    /// <summary>A refusal: the outcome that closes the connection, naming the reason by its tag.</summary>
    private static ActionOutcome Refused(CloseReason reason) => ActionOutcome.Close(reason.ToTag());

    // ---- Responder: N, then K; or I; then (strict) the initiator's confirmation.

    private ValueTask<ActionOutcome> ReadDeclareAsync(byte[] message)
    {
        if (!_cipher.TryReadDeclare(message, out var payload)) return new(Refused(CloseReason.BadMac));
        if (!AgentIdCodec.TryDecode(payload, out var agentId)) return new(Refused(CloseReason.MalformedPacket));
        return _responder!.ReceivedDeclareAsync(agentId);
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
        if (!AgentId.TryParse(agentId, out var agent))
        {
            return Refused(CloseReason.MalformedPacket);
        }
        AgentRecord? record;
        try
        {
            record = await _node.KeyProvider.FindAgentAsync(agent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (record is null)
        {
            return Refused(CloseReason.UnknownAgent);
        }
        if (_cipher.Authenticates)
        {
            // The key from the provider is the one enforced, whatever key the agent id names.
            var remoteStatic = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, remoteStatic))
            {
                return Refused(CloseReason.WrongKey);
            }
            _remoteStatic = remoteStatic;
        }
        RemoteAgent = agent;
        return ActionOutcome.Continue;
    }

    private async ValueTask<ActionOutcome> ReadKnockAsync(byte[] message)
    {
        // KK fails here when the initiator does not hold the key the provider trusts for the agent it named.
        if (!_cipher.TryReadKnock(_remoteStatic, message, out var payload)) return Refused(CloseReason.WrongKey);
        if (!PeerMessageCodec.TryDecode(payload, out var element)) return Refused(CloseReason.MalformedPacket);
        _heldPayload = payload;
        var fresh = await CheckReplayAsync(message).ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        return await FireThenConfirmAsync(_responder!.ReceivedKnockAsync(element)).ConfigureAwait(false);
    }

    /// <summary>
    /// A K or I decrypts again when replayed: its initiator ephemeral key (its first 32 bytes) is accepted once,
    /// whatever C offered, since an offer travels in the clear and can be stripped from a replay. A close outcome
    /// when the handshake must go no further.
    /// </summary>
    private async ValueTask<ActionOutcome> CheckReplayAsync(byte[] message)
    {
        if (!_cipher.Authenticates) return ActionOutcome.Continue; // raw mode has no keys to replay, and no defence
        try
        {
            return await _node.ReplayGuard.TryAcceptAsync(message.AsMemory(0, NoiseStaticKey.Length)).ConfigureAwait(false)
                ? ActionOutcome.Continue
                : Refused(CloseReason.Replayed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
    }

    ValueTask<ActionOutcome> IResponderActions.AcknowledgeKnockAsync(JsonElement peerMessage) => SendAckAsync();

    private async ValueTask<ActionOutcome> ReadTicketAsync(byte[] message)
    {
        var remoteStatic = new byte[NoiseStaticKey.Length];
        if (!_cipher.TryReadTicket(message, remoteStatic, out var payload)) return Refused(CloseReason.BadMac);
        if (!PeerMessageCodec.TryDecode(payload, out var element)) return Refused(CloseReason.MalformedPacket);
        _remoteStatic = remoteStatic;
        _heldPayload = payload;
        var fresh = await CheckReplayAsync(message).ConfigureAwait(false);
        if (!fresh.Continues) return fresh;
        var validated = await _responder!.ReceivedTicketAsync(element).ConfigureAwait(false);
        if (validated.Continues) return await FireThenConfirmAsync(_responder.TicketAcceptedAsync()).ConfigureAwait(false);
        // A ticket the store refused closes through the spec's ticketRejected; any other refusal closes as it is.
        if (CloseReasonExtensions.FromTag(validated.Reason) is CloseReason.TicketExpired or CloseReason.TicketUsed or CloseReason.TicketUnknown or CloseReason.TicketRefused)
            await _responder.TicketRejectedAsync(validated.Reason!).ConfigureAwait(false);
        return validated;
    }

    /// <summary>After I: the proven static key must be the claimed agent's, and the ticket is redeemed (once).</summary>
    async ValueTask<ActionOutcome> IResponderActions.ValidateTicketAsync(JsonElement peerMessage)
    {
        if (!MessageJson.TryReadTicketRequest(peerMessage, out var token, out var from, out var fromAddress))
        {
            return Refused(CloseReason.MalformedPacket);
        }
        if (_cipher.Authenticates)
        {
            var claimed = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromAgent(from, claimed) || !claimed.AsSpan().SequenceEqual(_remoteStatic))
            {
                return Refused(CloseReason.WrongKey);
            }
        }
        TicketRedemption redemption;
        try
        {
            redemption = await _node.TicketStore.RedeemAsync(new TicketPresentation(token, from, fromAddress)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(CloseReason.KeyStoreUnavailable);
        }
        if (!redemption.Accepted)
        {
            return Refused(redemption.Rejection switch
            {
                TicketRejection.Expired => CloseReason.TicketExpired,
                TicketRejection.AlreadyUsed => CloseReason.TicketUsed,
                TicketRejection.UnknownToken => CloseReason.TicketUnknown,
                _ => CloseReason.TicketRefused,
            });
        }
        RemoteAgent = from;
        return ActionOutcome.Continue;
    }

    ValueTask<ActionOutcome> IResponderActions.AcknowledgeTicketAsync() => SendAckAsync();

    /// <summary>
    /// After K or I was accepted (A sent): an encrypted connection that negotiated receipts waits for the
    /// initiator's first R (or T), which a replayed K or I cannot produce; any other confirms at once (a peer
    /// without receipts sends no such proof, and the replay guard has already refused a replayed handshake).
    /// </summary>
    private async ValueTask<ActionOutcome> FireThenConfirmAsync(ValueTask<ActionOutcome> accepted)
    {
        var outcome = await accepted.ConfigureAwait(false);
        if (!outcome.Continues) return outcome;
        if (_receipts && _cipher.Authenticates) return outcome;
        return await _responder!.KeysConfirmedAsync().ConfigureAwait(false);
    }

    private async ValueTask<ActionOutcome> SendAckAsync()
    {
        var outcome = ActionOutcome.Continue;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsClosed) return Refused(CloseReason);
            // A answers an offer with what is accepted; without an offer it is exactly the base protocol's empty A.
            var accepted = (_offered ?? PeerCapabilities.None) & PeerCapabilitiesCodec.Supported;
            var payload = _offered is null ? [] : PeerCapabilitiesCodec.Encode(accepted);
            var body = FrameCodec.BeginFrame(_output, PacketType.Ack, _cipher.AckLength(payload.Length));
            CompleteFrame(_output, PacketType.Ack, _cipher.WriteAck(payload, body));
            _receipts = (accepted & PeerCapabilities.Receipts) != 0;
            _batches = (accepted & PeerCapabilities.Batches) != 0;
            await FlushAsync().ConfigureAwait(false);
            Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            outcome = Refused(CloseReason.SocketError);
        }
        finally
        {
            _writeLock.Release();
        }
        if (_remoteStatic is not null) Array.Clear(_remoteStatic);
        _remoteStatic = null;
        return outcome;
    }

    /// <summary>The initiator's first T or R after A, on a strict responder: decrypt, then fire (which releases the held message).</summary>
    private async ValueTask<ActionOutcome> ReadConfirmationAsync(PacketType type, byte[] message)
    {
        var overhead = _cipher.TransportOverhead;
        if (message.Length < overhead) return Refused(CloseReason.BadMac);
        var plaintext = new byte[message.Length - overhead];
        if (!_cipher.TryDecrypt(message, plaintext, out _)) return Refused(CloseReason.BadMac);
        if (type == PacketType.Receipt)
        {
            if (plaintext.Length != ReceiptBodyLength) return Refused(CloseReason.MalformedPacket);
            var confirmed = await _responder!.ReceivedReceiptAsync(plaintext).ConfigureAwait(false);
            if (!confirmed.Continues) return confirmed;
            // A count of messages never sent closes the connection there (Acknowledge): stop reading either way.
            return Acknowledge(BinaryPrimitives.ReadInt64BigEndian(plaintext)) ? confirmed : Refused(CloseReason.MalformedPacket);
        }
        if (!PeerMessageCodec.TryDecode(plaintext, out var element)) return Refused(CloseReason.MalformedPacket);
        var opened = await _responder!.ReceivedTransportAsync(element).ConfigureAwait(false);
        if (opened.Continues) Deliver(plaintext);
        return opened;
    }

    ValueTask<ActionOutcome> IResponderActions.ConfirmByTransportAsync(JsonElement peerMessage) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => ReleaseFirstMessage();

    ValueTask<ActionOutcome> IResponderActions.ConfirmWithoutProofAsync() => ReleaseFirstMessage();

    /// <summary>The responder's connection is open: the held K or I message goes to the application first.</summary>
    private ValueTask<ActionOutcome> ReleaseFirstMessage()
    {
        MarkOpen();
        if (_heldPayload is { } held)
        {
            _heldPayload = null;
            Deliver(held);
        }
        return new(ActionOutcome.Continue);
    }

    // ---- Initiator: A.

    private ValueTask<ActionOutcome> ReadAckAsync(byte[] message)
    {
        if (!_cipher.TryReadAck(message, out var payload)) return new(Refused(CloseReason.BadMac));
        return _initiator!.ReceivedAckAsync(payload);
    }

    /// <summary>
    /// After A: its payload says whether the responder accepted receipts. If so, an R at once proves to it that we
    /// hold the keys, and the first message waits for its receipt; if not, the first message counts as written.
    /// Then the channel may use the connection.
    /// </summary>
    async ValueTask<ActionOutcome> IInitiatorActions.CompleteHandshakeAsync(ReadOnlyMemory<byte> capabilities)
    {
        var accepted = PeerCapabilitiesCodec.Decode(capabilities.Span);
        _receipts = (accepted & PeerCapabilities.Receipts) != 0;
        _batches = (accepted & PeerCapabilities.Batches) != 0;
        if (_receipts)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (IsClosed)
                {
                    return Refused(CloseReason);
                }
                WritePendingReceipt(force: true);
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return Refused(CloseReason.SocketError);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        var first = _firstMessage!;
        first.AwaitsReceipt = _receipts && first.Mode != DeliveryMode.Written;
        if (!first.AwaitsReceipt)
        {
            lock (_unconfirmed) _unconfirmed.Clear(); // only the first message is written before A
        }
        // Open before the first message is settled: a sender that closes the connection as soon as its message
        // is delivered must find it open, not "closed during the handshake".
        MarkOpen();
        _firstMessage = null;
        _initiatorRemoteStatic = default;
        _opened?.TrySetResult(true);
        if (!first.AwaitsReceipt) first.TrySetResult(new DeliveryReceipt(RemoteAgent, Id, 1, DeliveryMode.Written));
        return ActionOutcome.Continue;
    }

    ValueTask<ActionOutcome> IInitiatorActions.AbandonAsync() => new(ActionOutcome.Continue);

    private void MarkOpen()
    {
        if (IdleCloses || AwaitsReceipts)
        {
            Reschedule();
        }
        else
        {
            _timer?.Dispose();
            _timer = null;
        }
        _node.OnOpened(this);
    }

    /// <summary>When the read loop ends: moves the machine to Closed with the trigger the close reason names.</summary>
    private async ValueTask FireClosedAsync()
    {
        try
        {
            if (_responder is { } responder)
            {
                _ = CloseReason switch
                {
                    CloseReason.HandshakeTimeout => await responder.HandshakeTimedOutAsync().ConfigureAwait(false),
                    CloseReason.IdleTimeout => await responder.IdleTimedOutAsync().ConfigureAwait(false),
                    CloseReason.LocalClosed => await responder.CloseAsync().ConfigureAwait(false),
                    _ => await responder.FailedAsync(CloseReason.ToTag()).ConfigureAwait(false),
                };
            }
            else if (_initiator is { } initiator)
            {
                _ = CloseReason switch
                {
                    CloseReason.HandshakeTimeout => await initiator.HandshakeTimedOutAsync().ConfigureAwait(false),
                    CloseReason.LocalClosed => await initiator.CloseAsync().ConfigureAwait(false),
                    _ => await initiator.FailedAsync(CloseReason.ToTag()).ConfigureAwait(false),
                };
            }
        }
        catch (Exception e) when (e is InvalidOperationException)
        {
            // The machine refusing a close trigger changes nothing: the socket is closed already.
        }
    }
}
