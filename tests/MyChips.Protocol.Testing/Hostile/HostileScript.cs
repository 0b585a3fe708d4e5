namespace MyChips.Protocol.Testing.Hostile;

/// <summary>
/// A hostile peer's script, written as a chain of steps and run against one connection:
/// <c>new HostileScript().Frame('N', body).Trickle(bytes, i => time.AdvanceAsync()).ExpectClose(deadline)</c>.
/// </summary>
public sealed class HostileScript
{
    private readonly List<Func<HostilePeer, Task>> _steps = [];

    public HostileScript Send(byte[] bytes) => Step(peer => peer.SendAsync(bytes));

    public HostileScript Frame(char type, byte[] body) => Send(HostileFrames.Frame(type, body));

    /// <summary>Byte by byte, awaiting <paramref name="between"/> after each; stops early if the node closes.</summary>
    public HostileScript Trickle(byte[] bytes, Func<int, ValueTask> between) => Step(peer => peer.TrickleAsync(bytes, between));

    /// <summary>Waits for something outside the connection (a clock advance, another peer's progress).</summary>
    public HostileScript Await(Func<Task> step) => Step(_ => step());

    /// <summary>Fails the run unless the node has closed the connection within the deadline.</summary>
    public HostileScript ExpectClose(TimeSpan deadline) => Step(async peer =>
    {
        if (!await peer.WaitClosedAsync(deadline).ConfigureAwait(false))
            throw new HostileScriptException($"The node did not close the connection within {deadline}.");
    });

    /// <summary>Fails the run if the node has closed the connection already (checked at this point of the script).</summary>
    public HostileScript ExpectOpen() => Step(peer => peer.IsClosed
        ? Task.FromException(new HostileScriptException("The node closed the connection early."))
        : Task.CompletedTask);

    public async Task RunAsync(HostilePeer peer)
    {
        foreach (var step in _steps) await step(peer).ConfigureAwait(false);
    }

    private HostileScript Step(Func<HostilePeer, Task> step)
    {
        _steps.Add(step);
        return this;
    }
}

/// <summary>A hostile script's expectation was not met.</summary>
public sealed class HostileScriptException(string message) : Exception(message);
