using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>How a node gets its connections: accepting inbound ones within the limits, opening outbound ones for a channel.</summary>
public sealed partial class PeerNode
{
    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!IsStopping)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (IsStopping) return;
                PeerLog.AcceptFailed(_logger, e);
                continue;
            }
            if (socket.RemoteEndPoint is IPEndPoint remote && _blockList.IsBlocked(remote.Address))
            {
                PeerMetrics.BlockedConnections.Add(1);
                PeerMetrics.Closed(CloseReason.Blocked);
                socket.Dispose();
                continue;
            }
            if (socket.RemoteEndPoint is not IPEndPoint from)
            {
                socket.Dispose();
                continue;
            }
            var lease = Admit(socket, from.Address);
            if (lease is null) continue;
            Run(new ResponderSession(this, NextConnectionId(), from, Time.GetTimestamp(), lease), socket, ConnectionRole.Responder, default);
        }
    }

    /// <summary>A lease within the connection limits, or null after closing the socket silently.</summary>
    private InboundAdmission.Lease? Admit(Socket socket, IPAddress address)
    {
        var lease = _admission.TryAdmit(address, out var refusal);
        if (lease is not null) return lease;
        PeerMetrics.Refused(refusal);
        PeerLog.Refused(_logger, address, refusal.ToTag());
        socket.Dispose();
        return null;
    }

    /// <summary>
    /// Opens an outgoing connection for a channel and runs its handshake with the oldest queued message in K or I.
    /// False when no message was left to carry.
    /// </summary>
    internal async Task<bool> ConnectAsync(PeerDestination destination, PeerChannel channel)
    {
        var remoteStatic = await ResolveStaticKeyAsync(destination).ConfigureAwait(false);
        var id = NextConnectionId();
        var createdAt = Time.GetTimestamp();
        RaiseState(new ConnectionStateChange(id, ConnectionDirection.Outbound, ConnectionState.Connecting, destination.Agent, null, CloseReason.None, TimeSpan.Zero));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            timeout.CancelAfter(Options.HandshakeTimeout);
            try
            {
                await socket.ConnectAsync(destination.Host, destination.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or ArgumentException)
            {
                socket.Dispose();
                var failure = IsStopping ? DeliveryFailure.NodeStopped
                    : e is OperationCanceledException ? DeliveryFailure.HandshakeTimeout
                    : DeliveryFailure.ConnectFailed;
                PeerMetrics.Closed(CloseReason.ConnectFailed);
                RaiseState(new ConnectionStateChange(id, ConnectionDirection.Outbound, ConnectionState.Closed, destination.Agent, null,
                    CloseReason.ConnectFailed, Time.GetElapsedTime(createdAt)));
                PeerLog.ConnectFailed(_logger, destination, failure, e);
                throw new DeliveryFailedException(failure, $"Could not connect to {destination}: {e.Message}", e);
            }
        }
        var first = channel.TakeFirst();
        // With no message left to carry, the session closes the connection at once.
        var session = new InitiatorSession(this, id, socket.RemoteEndPoint, createdAt, first);
        if (!Run(session, socket, ConnectionRole.Initiator, remoteStatic) || first is null) return false;
        await session.Opened.ConfigureAwait(false);
        return true;
    }

    /// <summary>The responder's Noise static key: the one the key provider trusts for it, else the one its id names.</summary>
    private async Task<byte[]> ResolveStaticKeyAsync(PeerDestination destination)
    {
        if (Options.Mode == PeerMode.Raw) return [];
        AgentRecord? record;
        try
        {
            record = await KeyProvider.FindAgentAsync(destination.Agent).ConfigureAwait(false);
        }
        catch (KeyStoreUnavailableException e)
        {
            throw new DeliveryFailedException(DeliveryFailure.KeyStoreUnavailable, $"The key store could not say which key {destination.Agent} has: {e.Message}", e);
        }
        var key = new byte[NoiseStaticKey.Length];
        var valid = record is not null
            ? NoiseStaticKey.TryFromEd25519PublicKey(record.Ed25519PublicKey.Span, key)
            : NoiseStaticKey.TryFromAgent(destination.Agent, key);
        return valid ? key : throw new DeliveryFailedException(DeliveryFailure.UnknownAgent,
            $"Agent {destination.Agent} has no usable Noise static key (its Ed25519 key is not a valid curve point).");
    }
}
