namespace MyChips.Protocol.Connections;

/// <summary>
/// The hand-written part of a protocol: one object per connection that implements its role's generated
/// actions interface (<c>I{Machine}Actions</c>) and reacts to the connection's life. Derive from
/// <see cref="ProtocolSession{TMachine}"/> to get the typed machine.
/// </summary>
public abstract class ProtocolSession
{
    private ProtocolConnection? _connection;

    /// <summary>The connection this session runs on; set before any call into the session.</summary>
    public ProtocolConnection Connection => _connection ?? throw new InvalidOperationException("The session is not attached to a connection yet.");

    internal virtual void Attach(ProtocolConnection connection, IConnectionMachine? machine) => _connection = connection;

    // The engine's calls; the hooks stay protected, so a session overrides them the same way in any assembly.
    internal ValueTask<ActionOutcome> NotifyConnectedAsync() => OnConnectedAsync();

    internal void NotifyHandshakeCompleted() => OnHandshakeCompleted();

    internal void NotifyClosed(ConnectionCloseReason reason) => OnClosed(reason);

    /// <summary>
    /// The socket is up. An initiator typically fires its machine's connect event here, which sends the
    /// first handshake packet. Runs under the connection's machine lock, as every action does.
    /// </summary>
    protected virtual ValueTask<ActionOutcome> OnConnectedAsync() => new(ActionOutcome.Continue);

    /// <summary>The Noise handshake completed: transport packets may flow both ways.</summary>
    protected virtual void OnHandshakeCompleted()
    {
    }

    /// <summary>The connection ended, for this reason; called once.</summary>
    protected virtual void OnClosed(ConnectionCloseReason reason)
    {
    }
}

/// <summary>A session with its role's typed machine.</summary>
/// <typeparam name="TMachine">The generated <c>{Machine}Connection</c> of the session's role.</typeparam>
public abstract class ProtocolSession<TMachine> : ProtocolSession
    where TMachine : class, IConnectionMachine
{
    private TMachine? _machine;

    /// <summary>The connection's machine: fire its events from the session's own calls, through <see cref="ProtocolConnection.RunAsync"/>.</summary>
    protected TMachine Machine => _machine ?? throw new InvalidOperationException("The session is not attached to a connection yet.");

    internal override void Attach(ProtocolConnection connection, IConnectionMachine? machine)
    {
        base.Attach(connection, machine);
        _machine = machine as TMachine ?? throw new InvalidOperationException(
            $"The session expects a {typeof(TMachine).Name}, but the protocol gave its role {machine?.GetType().Name ?? "no machine"}.");
    }
}
