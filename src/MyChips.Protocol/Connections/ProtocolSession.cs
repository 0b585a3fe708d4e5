using System.Buffers;

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

    internal ValueTask<ActionOutcome?> NotifyReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body) => ReceiveAsync(packet, body);

    internal void NotifyWrite(ConnectionWriter writer) => WritePending(writer);

    internal void NotifyWritten() => OnWritten();

    /// <summary>
    /// The socket is up. An initiator typically fires its machine's connect event here, which sends the
    /// first handshake packet. Runs under the connection's machine lock, as every action does.
    /// </summary>
    protected virtual ValueTask<ActionOutcome> OnConnectedAsync() => new(ActionOutcome.Continue);

    /// <summary>The Noise handshake completed: transport packets may flow both ways.</summary>
    protected virtual void OnHandshakeCompleted()
    {
    }

    /// <summary>
    /// A packet the session reads itself, before the engine opens it and steps the machine: return an outcome to
    /// take it, or null to leave it to the machine (the default). The machine has already accepted the packet's type
    /// in its current state. The body is as it came off the wire, valid only until the call returns: a transport
    /// packet is still encrypted (open it with <see cref="ProtocolConnection.TryDecryptTransport"/>). For hot paths
    /// that need no machine step, such as traffic in an open state; runs under the machine lock like an action.
    /// </summary>
    protected virtual ValueTask<ActionOutcome?> ReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body) => new((ActionOutcome?)null);

    /// <summary>
    /// The write loop's turn, after <see cref="ProtocolConnection.RequestWrite"/>: the session writes packets of its
    /// own (a batch of messages, a receipt) straight into the outgoing pipe, flushed with whatever else is queued.
    /// No send may happen meanwhile, so the transport's nonce order is the wire's order.
    /// </summary>
    protected virtual void WritePending(ConnectionWriter writer)
    {
    }

    /// <summary>The flush that carried what <see cref="WritePending"/> wrote has completed.</summary>
    protected virtual void OnWritten()
    {
    }

    /// <summary>The connection ended, for this reason: its queued packets went out; the FIN follows. Called once.</summary>
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
