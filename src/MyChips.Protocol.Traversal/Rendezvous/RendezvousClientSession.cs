using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>The client's side of the rendezvous connection: greets, registers, and hands every signal to its client.</summary>
internal sealed class RendezvousClientSession(string name, RendezvousClient client) : ProtocolSession<ClientConnection>, IClientActions
{
    private readonly TaskCompletionSource<Observation> _observed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server's Observed packet; fails if the registration is refused or the connection ends first.</summary>
    public Task<Observation> Observed => _observed.Task;

    public ValueTask<ActionOutcome> GreetAsync() => Continue(Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty));

    public async ValueTask<ActionOutcome> RegisterAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendFinishAsync(ReadOnlyMemory<byte>.Empty);
        await Connection.SendRegisterAsync(new Registration(name));
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> ObservedAsync(Observation observation)
    {
        _observed.TrySetResult(observation);
        return new(ActionOutcome.Continue);
    }

    public ValueTask<ActionOutcome> RegistrationRefusedAsync(string refusal)
    {
        _observed.TrySetException(new RendezvousException($"The server refused the name '{name}': {refusal}"));
        return new(ActionOutcome.Close(refusal));
    }

    public ValueTask<ActionOutcome> ConnectSignalledAsync(Signal signal) => Hand(Punching.PunchMessageKind.Connect, signal);

    public ValueTask<ActionOutcome> SyncSignalledAsync(Signal signal) => Hand(Punching.PunchMessageKind.Sync, signal);

    public ValueTask<ActionOutcome> RelaySignalledAsync(Signal signal) => Hand(Punching.PunchMessageKind.Relay, signal);

    public ValueTask<ActionOutcome> SignalRefusedAsync(string refusal)
    {
        client.Refused(refusal);
        return new(ActionOutcome.Continue);
    }

    /// <summary>The machine's signal event: allowed only once registered.</summary>
    public ValueTask<ActionOutcome> SignalAsync() => Machine.SignalAsync();

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _observed.TrySetException(new RendezvousException($"The rendezvous connection ended: {reason}"));
        client.Closed(reason);
    }

    // A signal that does not parse is the sending client's fault, not the server's: it is dropped, the connection stays.
    private ValueTask<ActionOutcome> Hand(Punching.PunchMessageKind kind, Signal signal)
    {
        client.Signalled(kind, signal);
        return new(ActionOutcome.Continue);
    }

    private static async ValueTask<ActionOutcome> Continue(ValueTask send)
    {
        await send;
        return ActionOutcome.Continue;
    }
}

/// <summary>The rendezvous server refused something, or the connection to it ended.</summary>
public sealed class RendezvousException(string message) : Exception(message);
