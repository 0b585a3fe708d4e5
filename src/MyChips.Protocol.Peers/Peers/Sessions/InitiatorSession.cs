using System.Net;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The initiator's handshake: N, C and K for an agent the site knows (Noise N, then KK), or C and I with a ticket
/// (Noise IK), the first message riding in K or I; then A says which extensions the responder accepted, and with
/// receipts an R at once proves to it that this side holds the session keys.
/// </summary>
internal sealed class InitiatorSession : PeerSession<InitiatorConnection>, IInitiatorActions
{
    private readonly OutgoingMessage? _first; // null only when the channel had nothing to send: closed at once
    private readonly TaskCompletionSource<bool> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _firstSettled;

    public InitiatorSession(PeerNode node, long id, EndPoint? remote, long createdAt, OutgoingMessage? first)
        : base(node, id, ConnectionDirection.Outbound, remote, createdAt, null)
    {
        _first = first;
        if (first is not null) Peer.RemoteAgent = first.Destination.Agent;
    }

    protected override bool IsOpenState => Machine.State == InitiatorState.Open;

    /// <summary>Completes when A arrived and the connection is open; fails when it closed first.</summary>
    public Task Opened => _opened.Task;

    private OutgoingMessage First => _first ?? throw new InvalidOperationException("The connection has no first message to send.");

    /// <summary>Sends N+K, or I when the first message carries a ticket: the machine's connect event.</summary>
    protected override ValueTask<ActionOutcome> OnConnectedAsync() =>
        _first is null ? new(Refused(CloseReason.LocalClosed))
        : _first.OpensWithTicket ? Machine.ConnectWithTicketAsync()
        : Machine.ConnectAsync();

    async ValueTask<ActionOutcome> IInitiatorActions.SendDeclareAndKnockAsync()
    {
        // The compatible modes name the sender as the deployed peer does; strict mode sends the application's bytes.
        var payload = Options.Mode == PeerMode.Strict
            ? First.Json
            : FirstMessageJson.Stamp(First.Json, null, Options.LocalKey, Peer.Node.ListenPort);
        await Connection.SendAsync((byte)PacketType.Declare, AgentIdCodec.ToBytes(Options.LocalKey.Agent.ToString())).ConfigureAwait(false);
        await SendOfferAsync().ConfigureAwait(false);
        await Connection.SendAsync((byte)PacketType.Knock, payload).ConfigureAwait(false);
        Peer.WroteFirstMessage(First);
        return ActionOutcome.Continue;
    }

    async ValueTask<ActionOutcome> IInitiatorActions.SendTicketAsync()
    {
        var payload = FirstMessageJson.Stamp(First.Json, First.Ticket, Options.LocalKey, Peer.Node.ListenPort);
        await SendOfferAsync().ConfigureAwait(false);
        await Connection.SendAsync((byte)PacketType.Ticket, payload).ConfigureAwait(false);
        Peer.WroteFirstMessage(First);
        return ActionOutcome.Continue;
    }

    /// <summary>C, in the clear, right before K or I: the extensions this node offers (see <see cref="PeerCapabilities"/>).</summary>
    private ValueTask SendOfferAsync() =>
        Connection.SendAsync((byte)PacketType.Offer, PeerCapabilitiesCodec.Encode(PeerCapabilitiesCodec.Supported));

    /// <summary>
    /// After A: its payload says whether the responder accepted receipts. If so, an R at once proves to it that we
    /// hold the keys, and the first message waits for its receipt; if not, the first message counts as written.
    /// Then the channel may use the connection.
    /// </summary>
    async ValueTask<ActionOutcome> IInitiatorActions.CompleteHandshakeAsync(ReadOnlyMemory<byte> capabilities)
    {
        Peer.Negotiated(PeerCapabilitiesCodec.Decode(capabilities.Span));
        if (Peer.Receipts) await Peer.ProveKeysAsync().ConfigureAwait(false);
        var first = First;
        first.AwaitsReceipt = Peer.Receipts && first.Mode != DeliveryMode.Written;
        if (!first.AwaitsReceipt) Peer.ForgetUnconfirmed(); // only the first message is written before A
        // Open before the first message is settled: a sender that closes the connection as soon as its message
        // is delivered must find it open, not "closed during the handshake".
        Peer.MarkOpen();
        _firstSettled = true;
        _opened.TrySetResult(true);
        if (!first.AwaitsReceipt) first.TrySetResult(new DeliveryReceipt(Peer.RemoteAgent, Peer.Id, 1, DeliveryMode.Written));
        return ActionOutcome.Continue;
    }

    ValueTask<ActionOutcome> IInitiatorActions.AbandonAsync() => new(ActionOutcome.Continue);

    public override void OnPeerClosed(DeliveryFailure failure, CloseReason reason, bool wasOpen)
    {
        if (wasOpen) return;
        if (!_firstSettled) _first?.Fail(failure, $"connection {Peer.Id} closed ({reason.ToTag()}) during the handshake.");
        _opened.TrySetException(new DeliveryFailedException(failure, $"Connection {Peer.Id} to {Peer.RemoteAgent} closed during the handshake: {reason.ToTag()}."));
    }

    public override void CollectPending(List<Task> into)
    {
        if (!_firstSettled && !IsOpenState && _first is not null) into.Add(_first.Task);
    }
}
