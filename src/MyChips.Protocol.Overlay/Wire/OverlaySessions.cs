using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Wire;

/// <summary>The connecting side: greets, checks the listener's key if one was expected, introduces itself.</summary>
internal sealed class DialerSession(TcpOverlayTransport transport, IOverlayHandler handler, ReadOnlyMemory<byte> expectedKey) : ProtocolSession<DialerConnection>, IDialerActions
{
    private readonly TaskCompletionSource<OverlayLink> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OverlayLink? _link;

    /// <summary>The link, once the handshake completed and both sides introduced themselves.</summary>
    public Task<OverlayLink> Ready => _ready.Task;

    private OverlayLink Link => _link ??= new OverlayLink(Connection, handler, transport);

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> FinishAsync(Intro intro)
    {
        if (!expectedKey.IsEmpty && !Connection.PeerStaticKey.Span.SequenceEqual(expectedKey.Span))
            return ActionOutcome.Close("the listener holds another key than the one expected");
        Link.Introduce(intro);
        await Connection.SendFinishAsync(OverlayLink.IntroOf(handler.Self)).ConfigureAwait(false);
        _ready.TrySetResult(Link);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> AnswerFindNodeAsync(NodeQuery nodeQuery) => Link.AnswerFindNodeAsync(nodeQuery);

    public ValueTask<ActionOutcome> TakeNodesAsync(NodeList nodeList) => Link.TakeNodes(nodeList);

    public ValueTask<ActionOutcome> AnswerPingAsync(Probe probe) => Link.AnswerPingAsync(probe);

    public ValueTask<ActionOutcome> TakePongAsync(Probe probe) => Link.TakePong(probe);

    public ValueTask<ActionOutcome> TakeFindMeAsync(Sealed @sealed) => Link.TakeFindMeAsync(@sealed);

    public ValueTask<ActionOutcome> TakeTextAsync(Note note) => Link.TakeTextAsync(note);

    public ValueTask<ActionOutcome> AnswerReserveAsync(Probe probe) => Link.AnswerReserveAsync(probe);

    public ValueTask<ActionOutcome> TakeReservedAsync(Reservation reservation) => Link.TakeReserved(reservation);

    public ValueTask<ActionOutcome> AnswerDialAsync(DialRequest dialRequest) => Link.AnswerDialAsync(dialRequest);

    public ValueTask<ActionOutcome> TakeDialedAsync(DialResult dialResult) => Link.TakeDialed(dialResult);

    public ValueTask<ActionOutcome> TakeCircuitAsync(CircuitOpen circuitOpen) => Link.TakeCircuitAsync(circuitOpen);

    public ValueTask<ActionOutcome> TakeRelayedAsync(Chunk chunk) => Link.TakeRelayedAsync(chunk);

    public ValueTask<ActionOutcome> TakeHangupAsync(CircuitEnd circuitEnd) => Link.TakeHangupAsync(circuitEnd);

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _ready.TrySetException(new OverlayUnreachableException($"the handshake did not complete: {reason}"));
        Link.Closed();
        transport.OnConnectionEnded(reason);
    }
}

/// <summary>The accepting side: answers with its introduction and admits the dialer once it introduced itself.</summary>
internal sealed class ListenerSession(TcpOverlayTransport transport, IOverlayHandler handler) : ProtocolSession<ListenerConnection>, IListenerActions
{
    private OverlayLink? _link;

    private OverlayLink Link => _link ??= new OverlayLink(Connection, handler, transport);

    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(OverlayLink.IntroOf(handler.Self)).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> AdmitAsync(Intro intro)
    {
        Link.Introduce(intro);
        handler.OnLinkOpened(Link);
        return new(ActionOutcome.Continue);
    }

    public ValueTask<ActionOutcome> AnswerFindNodeAsync(NodeQuery nodeQuery) => Link.AnswerFindNodeAsync(nodeQuery);

    public ValueTask<ActionOutcome> TakeNodesAsync(NodeList nodeList) => Link.TakeNodes(nodeList);

    public ValueTask<ActionOutcome> AnswerPingAsync(Probe probe) => Link.AnswerPingAsync(probe);

    public ValueTask<ActionOutcome> TakePongAsync(Probe probe) => Link.TakePong(probe);

    public ValueTask<ActionOutcome> TakeFindMeAsync(Sealed @sealed) => Link.TakeFindMeAsync(@sealed);

    public ValueTask<ActionOutcome> TakeTextAsync(Note note) => Link.TakeTextAsync(note);

    public ValueTask<ActionOutcome> AnswerReserveAsync(Probe probe) => Link.AnswerReserveAsync(probe);

    public ValueTask<ActionOutcome> TakeReservedAsync(Reservation reservation) => Link.TakeReserved(reservation);

    public ValueTask<ActionOutcome> AnswerDialAsync(DialRequest dialRequest) => Link.AnswerDialAsync(dialRequest);

    public ValueTask<ActionOutcome> TakeDialedAsync(DialResult dialResult) => Link.TakeDialed(dialResult);

    public ValueTask<ActionOutcome> TakeCircuitAsync(CircuitOpen circuitOpen) => Link.TakeCircuitAsync(circuitOpen);

    public ValueTask<ActionOutcome> TakeRelayedAsync(Chunk chunk) => Link.TakeRelayedAsync(chunk);

    public ValueTask<ActionOutcome> TakeHangupAsync(CircuitEnd circuitEnd) => Link.TakeHangupAsync(circuitEnd);

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        Link.Closed();
        transport.OnConnectionEnded(reason);
    }
}
