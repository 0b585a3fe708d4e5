using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Traversal.Direct;

/// <summary>
/// What both roles' sessions on a direct channel share: the call desk their traffic actions go to, the host's call
/// and hang-up events, and the channel's opening. The two roles differ only in their handshake messages.
/// </summary>
internal abstract class DirectSession<TMachine>(CallDesk desk) : ProtocolSession<TMachine>, IDirectSession
    where TMachine : class, IConnectionMachine
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _opened.Task;

    public ValueTask<ActionOutcome> HeardAsync(string text) => desk.HeardAsync(text);
    public ValueTask<ActionOutcome> OfferAsync() => desk.OfferAsync();
    public ValueTask<ActionOutcome> AcceptOfferAsync(CallSetup callSetup) => desk.AcceptOfferAsync(callSetup);
    public ValueTask<ActionOutcome> AcceptedAsync(CallSetup callSetup) => desk.AcceptedAsync(callSetup);
    public ValueTask<ActionOutcome> MediaAsync(ReadOnlyMemory<byte> sealedMedia) => desk.MediaAsync(sealedMedia);
    public ValueTask<ActionOutcome> EndedAsync(CallEnding callEnding) => desk.EndedAsync(callEnding);
    public ValueTask<ActionOutcome> EndCallAsync() => desk.EndCallAsync();

    public abstract ValueTask<ActionOutcome> CallAsync();
    public abstract ValueTask<ActionOutcome> HangupAsync();

    /// <summary>The handshake is done on this side: the channel is open.</summary>
    protected void MarkOpened() => _opened.TrySetResult();

    /// <summary>The role's first step once connected (the initiator's connect event; nothing for the responder).</summary>
    protected virtual ValueTask<ActionOutcome> StartAsync() => new(ActionOutcome.Continue);

    protected sealed override ValueTask<ActionOutcome> OnConnectedAsync()
    {
        desk.Connection = Connection;
        return StartAsync();
    }

    protected sealed override void OnClosed(ConnectionCloseReason reason)
    {
        _opened.TrySetException(new InvalidOperationException($"The direct channel closed before it opened: {reason}"));
        _ = desk.ClosedAsync();
    }
}

/// <summary>The initiator's session on a direct channel: the handshake's first and last messages.</summary>
internal sealed class DirectInitiatorSession(CallDesk desk) : DirectSession<InitiatorConnection>(desk), IInitiatorActions
{
    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> FinishAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendFinishAsync(ReadOnlyMemory<byte>.Empty);
        MarkOpened();
        return ActionOutcome.Continue;
    }

    public override ValueTask<ActionOutcome> CallAsync() => Machine.CallAsync();
    public override ValueTask<ActionOutcome> HangupAsync() => Machine.HangupAsync();

    protected override ValueTask<ActionOutcome> StartAsync() => Machine.ConnectAsync();
}

/// <summary>The responder's session on a direct channel: the handshake's middle message.</summary>
internal sealed class DirectResponderSession(CallDesk desk) : DirectSession<ResponderConnection>(desk), IResponderActions
{
    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting)
    {
        MarkOpened();
        return new(ActionOutcome.Continue);
    }

    public override ValueTask<ActionOutcome> CallAsync() => Machine.CallAsync();
    public override ValueTask<ActionOutcome> HangupAsync() => Machine.HangupAsync();
}

/// <summary>The host's events on either role's machine.</summary>
internal interface IDirectSession
{
    Task Opened { get; }
    ValueTask<ActionOutcome> CallAsync();
    ValueTask<ActionOutcome> HangupAsync();
}
