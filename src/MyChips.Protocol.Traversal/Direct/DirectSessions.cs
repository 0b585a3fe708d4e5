using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Traversal.Direct;

/// <summary>The initiator's session on a direct channel: the handshake's first and last messages, then the shared desk.</summary>
internal sealed class DirectInitiatorSession(CallDesk desk) : ProtocolSession<InitiatorConnection>, IInitiatorActions, IDirectSession
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _opened.Task;

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> FinishAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendFinishAsync(ReadOnlyMemory<byte>.Empty);
        _opened.TrySetResult();
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> HeardAsync(string text) => desk.HeardAsync(text);
    public ValueTask<ActionOutcome> OfferAsync() => desk.OfferAsync();
    public ValueTask<ActionOutcome> AcceptOfferAsync(CallSetup callSetup) => desk.AcceptOfferAsync(callSetup);
    public ValueTask<ActionOutcome> AcceptedAsync(CallSetup callSetup) => desk.AcceptedAsync(callSetup);
    public ValueTask<ActionOutcome> MediaAsync(ReadOnlyMemory<byte> sealedMedia) => desk.MediaAsync(sealedMedia);
    public ValueTask<ActionOutcome> EndedAsync(CallEnding callEnding) => desk.EndedAsync(callEnding);
    public ValueTask<ActionOutcome> EndCallAsync() => desk.EndCallAsync();

    public ValueTask<ActionOutcome> CallAsync() => Machine.CallAsync();
    public ValueTask<ActionOutcome> HangupAsync() => Machine.HangupAsync();

    protected override ValueTask<ActionOutcome> OnConnectedAsync()
    {
        desk.Connection = Connection;
        return Machine.ConnectAsync();
    }

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _opened.TrySetException(new InvalidOperationException($"The direct channel closed before it opened: {reason}"));
        _ = desk.ClosedAsync();
    }
}

/// <summary>The responder's session on a direct channel.</summary>
internal sealed class DirectResponderSession(CallDesk desk) : ProtocolSession<ResponderConnection>, IResponderActions, IDirectSession
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _opened.Task;

    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting)
    {
        _opened.TrySetResult();
        return new(ActionOutcome.Continue);
    }

    public ValueTask<ActionOutcome> HeardAsync(string text) => desk.HeardAsync(text);
    public ValueTask<ActionOutcome> OfferAsync() => desk.OfferAsync();
    public ValueTask<ActionOutcome> AcceptOfferAsync(CallSetup callSetup) => desk.AcceptOfferAsync(callSetup);
    public ValueTask<ActionOutcome> AcceptedAsync(CallSetup callSetup) => desk.AcceptedAsync(callSetup);
    public ValueTask<ActionOutcome> MediaAsync(ReadOnlyMemory<byte> sealedMedia) => desk.MediaAsync(sealedMedia);
    public ValueTask<ActionOutcome> EndedAsync(CallEnding callEnding) => desk.EndedAsync(callEnding);
    public ValueTask<ActionOutcome> EndCallAsync() => desk.EndCallAsync();

    public ValueTask<ActionOutcome> CallAsync() => Machine.CallAsync();
    public ValueTask<ActionOutcome> HangupAsync() => Machine.HangupAsync();

    protected override ValueTask<ActionOutcome> OnConnectedAsync()
    {
        desk.Connection = Connection;
        return base.OnConnectedAsync();
    }

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _opened.TrySetException(new InvalidOperationException($"The direct channel closed before it opened: {reason}"));
        _ = desk.ClosedAsync();
    }
}

/// <summary>The host's events on either role's machine.</summary>
internal interface IDirectSession
{
    Task Opened { get; }
    ValueTask<ActionOutcome> CallAsync();
    ValueTask<ActionOutcome> HangupAsync();
}
