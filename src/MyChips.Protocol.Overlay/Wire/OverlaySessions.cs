using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Wire;

/// <summary>
/// What both sides of an overlay connection do once it is open: every traffic action goes to the connection's
/// <see cref="OverlayLink"/> (these public members implement the same-named actions of both roles' interfaces).
/// </summary>
internal abstract class OverlaySession<TMachine>(TcpOverlayTransport transport, IOverlayHandler handler) : ProtocolSession<TMachine>
    where TMachine : class, IConnectionMachine
{
    private OverlayLink? _link;

    protected OverlayLink Link => _link ??= new OverlayLink(Connection, Handler, transport);

    protected IOverlayHandler Handler => handler;

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

    public ValueTask<ActionOutcome> AnswerObserveAsync(Probe probe) => Link.AnswerObserveAsync(probe);

    public ValueTask<ActionOutcome> TakeObservedAsync(Sighting sighting) => Link.TakeObserved(sighting);

    public ValueTask<ActionOutcome> TakeSignalAsync(PunchSignal punchSignal) => Link.TakeSignalAsync(punchSignal);

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        Link.Closed();
        transport.OnConnectionEnded(reason);
    }
}

/// <summary>The connecting side: greets, checks the listener's key if one was expected, introduces itself.</summary>
internal sealed class DialerSession(TcpOverlayTransport transport, IOverlayHandler handler, ReadOnlyMemory<byte> expectedKey)
    : OverlaySession<DialerConnection>(transport, handler), IDialerActions
{
    private readonly TaskCompletionSource<OverlayLink> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The link, once the handshake completed and both sides introduced themselves.</summary>
    public Task<OverlayLink> Ready => _ready.Task;

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
        await Connection.SendFinishAsync(OverlayLink.IntroOf(Handler.Self)).ConfigureAwait(false);
        _ready.TrySetResult(Link);
        return ActionOutcome.Continue;
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _ready.TrySetException(new OverlayUnreachableException($"the handshake did not complete: {reason}"));
        base.OnClosed(reason);
    }
}

/// <summary>The accepting side: answers with its introduction and admits the dialer once it introduced itself.</summary>
internal sealed class ListenerSession(TcpOverlayTransport transport, IOverlayHandler handler)
    : OverlaySession<ListenerConnection>(transport, handler), IListenerActions
{
    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(OverlayLink.IntroOf(Handler.Self)).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> AdmitAsync(Intro intro)
    {
        Link.Introduce(intro);
        Handler.OnLinkOpened(Link);
        return new(ActionOutcome.Continue);
    }
}
