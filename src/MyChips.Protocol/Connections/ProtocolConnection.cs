using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Connections;

/// <summary>
/// One TCP connection of any spec'd protocol: its framing (length-prefixed or lines), the Noise handshake and
/// transport the spec declares, the role's generated machine and its timeouts, and the session that implements
/// its actions.
/// Machine steps (received packets, expired timeouts, the session's own events through <see cref="RunAsync"/>)
/// run one at a time; sends may come from any thread.
/// </summary>
public sealed partial class ProtocolConnection
{
    private readonly ProtocolDescription _protocol;
    private readonly ConnectionOptions _options;
    private readonly Socket _socket;
    private readonly ProtocolSession _session;
    private readonly IConnectionMachine _machine;
    private readonly NoiseDriver _noise;
    private readonly ConnectionTimers _timers;
    private PipeReader _input;  // replaced, with _output, when the transport is upgraded
    private PipeWriter _output;
    private readonly SemaphoreSlim _steps = new(1, 1);
    private readonly int _maxFrameLength;
    private readonly FrameFormat _format;
    private readonly TaskCompletionSource<ConnectionCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<ProtocolConnection>? _ended;
    private ConnectionCloseReason? _closeReason;
    private int _started;
    private bool _stayed; // the last step took a packet and left the state as it was: its timeouts restart

    internal ProtocolConnection(ProtocolDescription protocol, ConnectionRole role, ConnectionOptions options, Socket socket,
        ProtocolSession session, ReadOnlyMemory<byte> knownPeerKey, Action<ProtocolConnection>? ended)
    {
        _protocol = protocol;
        _options = options;
        _socket = socket;
        _session = session;
        _ended = ended;
        Role = role;
        RemoteEndPoint = socket.RemoteEndPoint;
        _maxFrameLength = options.EffectiveMaxFrameLength(protocol);
        _format = FrameFormat.For(protocol, options.AcceptBareLineFeed);
        _machine = protocol.CreateMachine(role, session)
            ?? throw new InvalidOperationException($"The {protocol.Name} spec declares no machine for the {role} role; the engine runs only roles that have one.");
        _noise = new NoiseDriver(protocol, role, options, knownPeerKey);
        _timers = new ConnectionTimers(_machine, options, OnTimerExpired);
        _stream = new NetworkStream(socket, ownsSocket: false);
        (_input, _output) = CreatePipes(_stream);
        session.Attach(this, _machine);
    }

    /// <summary>The protocol this connection speaks.</summary>
    public ProtocolDescription Protocol => _protocol;

    /// <summary>The session that implements this connection's actions.</summary>
    public ProtocolSession Session => _session;

    /// <summary>Whether this side connected (initiator) or accepted (responder).</summary>
    public ConnectionRole Role { get; }

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The machine's current state, by its spec name.</summary>
    public string StateName => _machine.StateName;

    /// <summary>The Noise handshake is done: transport packets flow both ways.</summary>
    public bool IsHandshakeCompleted => _noise.IsCompleted;

    /// <summary>The Noise pattern in use, once the first handshake message went either way.</summary>
    public string? HandshakePattern => _noise.Pattern;

    /// <summary>The peer's static public key once the handshake made it known (proven when the handshake completes); empty before.</summary>
    public ReadOnlyMemory<byte> PeerStaticKey => _noise.PeerStaticKey;

    /// <summary>
    /// The peer's static public key for the next handshake, when an action learnt it outside the handshake (from a
    /// prelude's payload and a key store, say). Only between handshakes; see <see cref="NoiseDriver.UsePeerStaticKey"/>.
    /// </summary>
    public void UsePeerStaticKey(ReadOnlySpan<byte> key) => _noise.UsePeerStaticKey(key);

    /// <summary>Bytes a transport packet adds to its payload: the AEAD tag, or none in the clear.</summary>
    public int TransportOverhead => _noise.TransportOverhead;

    /// <summary>
    /// Decrypts a transport packet's body (as a session's <c>ReceiveAsync</c> got it) into <paramref name="destination"/>,
    /// its length less <see cref="TransportOverhead"/>. False when it fails to authenticate: close the connection then.
    /// </summary>
    public bool TryDecryptTransport(in ReadOnlySequence<byte> body, Span<byte> destination) => _noise.TryDecryptTransport(body, destination);

    /// <summary>How the connection ended, once it has; null while it runs.</summary>
    public ConnectionCloseReason? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Completes with the reason once the connection has ended and its socket is released.</summary>
    public Task<ConnectionCloseReason> Completion => _completion.Task;

    /// <summary>
    /// Runs one step of the machine from outside the engine (typically the session firing one of its events),
    /// after any step in progress; acts on the outcome as for a received packet. Returns the outcome, or a
    /// close outcome without running the step when the connection is already closing. Not from inside an action:
    /// an action already runs in a step, and fires the machine directly.
    /// </summary>
    public async ValueTask<ActionOutcome> RunAsync(Func<ValueTask<ActionOutcome>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        await _steps.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CloseReason is { } closed) return ActionOutcome.Close($"the connection is closed ({closed})");
            var outcome = await StepAsync(step).ConfigureAwait(false);
            if (outcome.Kind == ActionOutcomeKind.NotAllowed) return outcome;
            Settle(outcome, ConnectionCloseKind.Completed);
            return outcome;
        }
        finally
        {
            _steps.Release();
        }
    }

    /// <summary>
    /// Counts as traffic for the running timeouts, as a received packet does: for a protocol whose idle timeout
    /// means no traffic either way, its session calls this after writing. Any thread.
    /// </summary>
    public void NoteActivity() => _timers.Restart();

    /// <summary>Closes the connection from this side: queued packets are written, then FIN. Idempotent.</summary>
    public void Close() => Close(ConnectionCloseKind.LocalClosed, "closed by this side");

    internal void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        _timers.Update(stayed: false); // the initial state's timeouts run from the start
        _ = ReadLoopAsync();
        _ = ConnectedAsync();
    }

    private async Task ConnectedAsync()
    {
        var outcome = await RunAsync(_session.NotifyConnectedAsync).ConfigureAwait(false);
        if (outcome.Kind == ActionOutcomeKind.NotAllowed)
            Close(ConnectionCloseKind.Refused, $"the session's first step is not allowed in state {StateName}");
    }

    /// <summary>
    /// Runs a step and notes, for the timers, whether it took a packet and stayed in its state: only received
    /// traffic restarts a running timeout, so the host's own events cannot keep a silent peer's connection alive.
    /// </summary>
    private async ValueTask<ActionOutcome> StepAsync(Func<ValueTask<ActionOutcome>> step, bool received = false)
    {
        var before = _machine.StateName;
        var completedBefore = _noise.IsCompleted;
        ActionOutcome outcome;
        try
        {
            outcome = await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var detail = $"an action failed: {e.GetType().Name}: {e.Message}";
            Close(ConnectionCloseKind.Failed, detail);
            outcome = ActionOutcome.Close(detail);
        }
        if (!completedBefore && _noise.IsCompleted) _session.NotifyHandshakeCompleted();
        _stayed = received && string.Equals(before, _machine.StateName, StringComparison.Ordinal);
        return outcome;
    }

    /// <summary>After a step: close when it asks to or the machine is final, else bring the timers in line.</summary>
    private bool Settle(ActionOutcome outcome, ConnectionCloseKind finalKind, string? finalDetail = null, string? timeout = null)
    {
        if (outcome.Kind == ActionOutcomeKind.Close)
        {
            Close(ConnectionCloseKind.Refused, outcome.Reason!);
            return false;
        }
        if (outcome.Kind == ActionOutcomeKind.Malformed)
        {
            Violated(ProtocolViolation.MalformedBody, outcome.Reason!);
            return false;
        }
        if (_machine.IsFinal)
        {
            Close(new ConnectionCloseReason(finalKind, finalDetail ?? $"the machine reached {_machine.StateName}") { Timeout = timeout });
            return false;
        }
        _timers.Update(_stayed);
        return true;
    }

    private void OnTimerExpired(string name, int generation) => _ = ExpireAsync(name, generation);

    private async Task ExpireAsync(string name, int generation)
    {
        await _steps.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CloseReason is not null || !_timers.IsCurrent(name, generation) || _timers.TryDefer(name)) return;
            _timers.Expired(name);
            var state = _machine.StateName;
            var outcome = await StepAsync(() => _machine.ExpireAsync(name)).ConfigureAwait(false);
            if (outcome.Kind == ActionOutcomeKind.NotAllowed)
                Close(new ConnectionCloseReason(ConnectionCloseKind.TimedOut, $"the {name} timeout expired in state {state}, which has no transition for it") { Timeout = name });
            else
                Settle(outcome, ConnectionCloseKind.TimedOut, $"the {name} timeout expired in state {state}", name);
        }
        finally
        {
            _steps.Release();
        }
    }

    public override string ToString() => $"{_protocol.Name} {Role} {RemoteEndPoint} ({StateName})";
}
