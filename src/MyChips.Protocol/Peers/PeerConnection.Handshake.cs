using System.Buffers;
using System.Net.Sockets;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>The handshake packets: N, K and I on the responder, A on the initiator.</summary>
internal sealed partial class PeerConnection
{
    private async ValueTask<bool> HandleHandshakeAsync(byte type, ReadOnlySequence<byte> body)
    {
        // Handshake bodies are small and rare: one contiguous copy keeps the code simple.
        var message = body.ToArray();
        return type switch
        {
            PacketTypes.Declare => await ReadDeclareAsync(message).ConfigureAwait(false),
            PacketTypes.Knock => await ReadKnockAsync(message).ConfigureAwait(false),
            PacketTypes.Ticket => await ReadTicketAsync(message).ConfigureAwait(false),
            PacketTypes.Ack => await ReadAckAsync(message).ConfigureAwait(false),
            _ => Refuse(CloseReason.PacketNotAllowed),
        };
    }

    private bool Refuse(CloseReason reason)
    {
        Close(reason);
        return false;
    }

    /// <summary>N: the initiator names itself; load the key the provider trusts for it, for the KK that follows.</summary>
    private async ValueTask<bool> ReadDeclareAsync(byte[] message)
    {
        if (!_cipher.TryReadDeclare(message, out var payload)) return Refuse(CloseReason.BadMac);
        if (!MessageJson.TryParseAgentId(payload, out var agent)) return Refuse(CloseReason.MalformedPacket);
        AgentRecord? record;
        try
        {
            record = await _node.KeyProvider.FindAgentAsync(agent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refuse(CloseReason.KeyStoreUnavailable);
        }
        if (record is null) return Refuse(CloseReason.UnknownAgent);
        if (_cipher.Authenticates)
        {
            // The key from the provider is the one enforced, whatever key the agent id names.
            var remoteStatic = new byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, remoteStatic)) return Refuse(CloseReason.WrongKey);
            _remoteStatic = remoteStatic;
        }
        RemoteAgent = agent;
        Phase = ConnectionPhase.Identified;
        return true;
    }

    /// <summary>K: KK message 1 with the first application message. A failure here means the initiator does not hold the trusted key.</summary>
    private async ValueTask<bool> ReadKnockAsync(byte[] message)
    {
        if (!_cipher.TryReadKnock(_remoteStatic, message, out var payload)) return Refuse(CloseReason.WrongKey);
        if (!MessageJson.LooksLikeObject(payload)) return Refuse(CloseReason.MalformedPacket);
        return await AcceptAsync(payload).ConfigureAwait(false);
    }

    /// <summary>I: IK message 1 with a ticket inside the application message; the ticket is redeemed once.</summary>
    private async ValueTask<bool> ReadTicketAsync(byte[] message)
    {
        Span<byte> remoteStatic = stackalloc byte[NoiseStaticKey.Length];
        if (!_cipher.TryReadTicket(message, remoteStatic, out var payload)) return Refuse(CloseReason.BadMac);
        if (!MessageJson.TryReadTicketRequest(payload, out var token, out var from, out var fromAddress))
            return Refuse(CloseReason.MalformedPacket);
        if (_cipher.Authenticates)
        {
            // The static key proven by IK must be the one the claimed agent id names.
            Span<byte> claimed = stackalloc byte[NoiseStaticKey.Length];
            if (!NoiseStaticKey.TryFromAgent(from, claimed) || !claimed.SequenceEqual(remoteStatic)) return Refuse(CloseReason.WrongKey);
        }
        TicketRedemption redemption;
        try
        {
            redemption = await _node.TicketStore.RedeemAsync(new TicketPresentation(token, from, fromAddress)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refuse(CloseReason.KeyStoreUnavailable);
        }
        if (!redemption.Accepted)
        {
            return Refuse(redemption.Rejection switch
            {
                TicketRejection.Expired => CloseReason.TicketExpired,
                TicketRejection.AlreadyUsed => CloseReason.TicketUsed,
                TicketRejection.UnknownToken => CloseReason.TicketUnknown,
                _ => CloseReason.TicketRefused,
            });
        }
        RemoteAgent = from;
        return await AcceptAsync(payload).ConfigureAwait(false);
    }

    /// <summary>Responder: sends A; the connection is open (in strict mode once the initiator confirms).</summary>
    private async ValueTask<bool> AcceptAsync(byte[] firstPayload)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsClosed) return false;
            var body = FrameCodec.BeginFrame(_output, PacketTypes.Ack, _cipher.AckLength);
            _output.Advance(FrameCodec.HeaderLength + _cipher.WriteAck(body));
            await _output.FlushAsync().ConfigureAwait(false);
            Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return Refuse(CloseReason.SocketError);
        }
        finally
        {
            _writeLock.Release();
        }
        if (_remoteStatic is not null) Array.Clear(_remoteStatic);
        _remoteStatic = null;
        if (Options.Mode == PeerMode.Strict)
        {
            // A replayed K or I decrypts fine; only a later T or R proves the initiator holds the session keys.
            _heldPayload = firstPayload;
            Phase = ConnectionPhase.AwaitingConfirmation;
            return true;
        }
        MarkOpen();
        Deliver(firstPayload);
        return true;
    }

    /// <summary>Responder, strict mode: the first valid T or R from the initiator releases the held K or I payload.</summary>
    private bool Confirm()
    {
        MarkOpen();
        if (_heldPayload is { } held)
        {
            _heldPayload = null;
            Deliver(held);
        }
        return !IsClosed;
    }

    /// <summary>A: the handshake is complete; in strict mode an R confirms it at once.</summary>
    private async ValueTask<bool> ReadAckAsync(byte[] message)
    {
        if (!_cipher.TryReadAck(message)) return Refuse(CloseReason.BadMac);
        if (Options.Mode == PeerMode.Strict)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (IsClosed) return false;
                WritePendingReceipt(force: true);
                await _output.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return Refuse(CloseReason.SocketError);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        MarkOpen();
        if (_firstMessage is { Mode: DeliveryMode.Written } first)
            first.TrySetResult(new DeliveryReceipt(RemoteAgent, Id, 1, DeliveryMode.Written));
        _firstMessage = null;
        _opened?.TrySetResult(true);
        return true;
    }

    private void MarkOpen()
    {
        Phase = ConnectionPhase.Open;
        if (Direction == ConnectionDirection.Inbound && Options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            _timer?.Change(Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer?.Dispose();
            _timer = null;
        }
        _node.OnOpened(this);
    }
}
