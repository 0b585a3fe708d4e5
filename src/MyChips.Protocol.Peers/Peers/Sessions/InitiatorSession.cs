using System.IO.Pipelines;
using System.Net.Sockets;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The initiator's handshake: N, C and K for an agent the site knows (Noise N, then KK), or C and I with a ticket
/// (Noise IK), the first message riding in K or I; then A says which extensions the responder accepted, and with
/// receipts an R at once proves to it that this side holds the session keys.
/// </summary>
internal sealed class InitiatorSession : PeerSession, IInitiatorActions
{
    private readonly InitiatorConnection _machine;
    private readonly OutgoingMessage? _first; // null only when the channel had nothing to send: closed at once
    private readonly TaskCompletionSource<bool> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _firstSettled;

    public InitiatorSession(PeerConnection connection, OutgoingMessage? first) : base(connection)
    {
        _machine = new InitiatorConnection(this);
        _first = first;
    }

    public override bool IsOpen => _machine.State == InitiatorState.Open;

    public override bool Accepts(PacketType type) => _machine.Accepts(type);

    /// <summary>Completes when A arrived and the connection is open; fails when it closed first.</summary>
    public Task Opened => _opened.Task;

    private PeerNodeOptions Options => Connection.Options;

    /// <summary>Writes N+K, or I when the first message carries a ticket: the machine's connect event.</summary>
    public ValueTask<ActionOutcome> ConnectAsync() =>
        First.OpensWithTicket ? _machine.ConnectWithTicketAsync() : _machine.ConnectAsync();

    private OutgoingMessage First => _first ?? throw new InvalidOperationException("The connection has no first message to send.");

    public override ValueTask<ActionOutcome> ReceiveAsync(PacketType type, byte[] message)
    {
        if (type != PacketType.Ack) return new(ActionOutcome.NotAllowed);
        if (!Connection.TryOpen(PacketType.Ack, message, out var payload)) return new(Refused(CloseReason.BadMac));
        return _machine.ReceivedAckAsync(payload);
    }

    async ValueTask<ActionOutcome> IInitiatorActions.SendDeclareAndKnockAsync()
    {
        // The compatible modes name the sender as the deployed peer does; strict mode sends the application's bytes.
        var payload = Options.Mode == PeerMode.Strict
            ? First.Json
            : FirstMessageJson.Stamp(First.Json, null, Options.LocalKey, Connection.Node.ListenPort);
        await WriteHandshakeAsync(output =>
        {
            Connection.WriteSealed(output, PacketType.Declare, AgentIdCodec.ToBytes(Options.LocalKey.Agent.ToString()));
            WriteOffer(output);
            Connection.WriteSealed(output, PacketType.Knock, payload.Span);
        }).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    async ValueTask<ActionOutcome> IInitiatorActions.SendTicketAsync()
    {
        var payload = FirstMessageJson.Stamp(First.Json, First.Ticket, Options.LocalKey, Connection.Node.ListenPort);
        await WriteHandshakeAsync(output =>
        {
            WriteOffer(output);
            Connection.WriteSealed(output, PacketType.Ticket, payload.Span);
        }).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    /// <summary>C, in the clear, right before K or I: the extensions this node offers (see <see cref="PeerCapabilities"/>).</summary>
    private void WriteOffer(PipeWriter output) =>
        Connection.WriteSealed(output, PacketType.Offer, PeerCapabilitiesCodec.Encode(PeerCapabilitiesCodec.Supported));

    /// <summary>Writes the first message's handshake frames; it is message 1 of the connection.</summary>
    private async Task WriteHandshakeAsync(Action<PipeWriter> write)
    {
        await Connection.WriteLock.WaitAsync().ConfigureAwait(false);
        try
        {
            write(Connection.Output);
            // Optimistic: whether the peer acknowledges is known from its A, which settles this message either way.
            Connection.WroteFirstMessage(First);
            await Connection.FlushAsync().ConfigureAwait(false);
            PeerMetrics.MessagesSent.Add(1);
            Connection.Touch();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or Noise.NoiseException)
        {
            Connection.Close(CloseReason.SocketError);
        }
        finally
        {
            Connection.WriteLock.Release();
        }
    }

    /// <summary>
    /// After A: its payload says whether the responder accepted receipts. If so, an R at once proves to it that we
    /// hold the keys, and the first message waits for its receipt; if not, the first message counts as written.
    /// Then the channel may use the connection.
    /// </summary>
    async ValueTask<ActionOutcome> IInitiatorActions.CompleteHandshakeAsync(ReadOnlyMemory<byte> capabilities)
    {
        Connection.Negotiated(PeerCapabilitiesCodec.Decode(capabilities.Span));
        if (Connection.Receipts)
        {
            await Connection.WriteLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (Connection.IsClosed) return Refused(Connection.CloseReason);
                Connection.WritePendingReceipt(force: true);
                await Connection.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return Refused(CloseReason.SocketError);
            }
            finally
            {
                Connection.WriteLock.Release();
            }
        }
        var first = First;
        first.AwaitsReceipt = Connection.Receipts && first.Mode != DeliveryMode.Written;
        if (!first.AwaitsReceipt) Connection.ForgetUnconfirmed(); // only the first message is written before A
        // Open before the first message is settled: a sender that closes the connection as soon as its message
        // is delivered must find it open, not "closed during the handshake".
        Connection.MarkOpen();
        _firstSettled = true;
        _opened.TrySetResult(true);
        if (!first.AwaitsReceipt) first.TrySetResult(new DeliveryReceipt(Connection.RemoteAgent, Connection.Id, 1, DeliveryMode.Written));
        return ActionOutcome.Continue;
    }

    ValueTask<ActionOutcome> IInitiatorActions.AbandonAsync() => new(ActionOutcome.Continue);

    public override async ValueTask EndAsync(CloseReason reason) => _ = reason switch
    {
        CloseReason.HandshakeTimeout => await _machine.HandshakeTimedOutAsync().ConfigureAwait(false),
        CloseReason.LocalClosed => await _machine.CloseAsync().ConfigureAwait(false),
        _ => await _machine.FailedAsync(reason.ToTag()).ConfigureAwait(false),
    };

    public override void OnClosed(DeliveryFailure failure, CloseReason reason, bool wasOpen)
    {
        if (wasOpen) return;
        if (!_firstSettled) _first?.Fail(failure, $"connection {Connection.Id} closed ({reason.ToTag()}) during the handshake.");
        _opened.TrySetException(new DeliveryFailedException(failure, $"Connection {Connection.Id} to {Connection.RemoteAgent} closed during the handshake: {reason.ToTag()}."));
    }

    public override void CollectPending(List<Task> into)
    {
        if (!_firstSettled && !IsOpen && _first is not null) into.Add(_first.Task);
    }
}
