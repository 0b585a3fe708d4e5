using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace MyChips.Protocol.Traversal.Punching;

/// <summary>
/// Direct connection upgrade after libp2p's DCUtR: the initiator sends CONNECT with its observed addresses through the
/// signalling channel and times the responder's CONNECT answer; it then sends SYNC and dials half a round trip later,
/// when SYNC reaches the responder and it dials too, so that both dials cross. Three attempts; then the relay.
/// </summary>
public sealed class HolePuncher
{
    private readonly HolePunchOptions _options;

    public HolePuncher(HolePunchOptions? options = null) => _options = options ?? new HolePunchOptions();

    /// <summary>Connects from the initiator's side.</summary>
    /// <exception cref="HolePunchException">Punching failed and there is no relay, or the other side did not answer.</exception>
    public async Task<PunchResult> InitiateAsync(PunchPlan plan, ISignallingChannel signalling, IRelayFallback? relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(signalling);
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; attempt <= _options.Attempts; attempt++)
        {
            var sent = Stopwatch.GetTimestamp();
            await signalling.SendAsync(Own(PunchMessageKind.Connect, attempt, plan), cancellationToken).ConfigureAwait(false);
            var answer = await ExpectAsync(signalling, PunchMessageKind.Connect, attempt, cancellationToken).ConfigureAwait(false);
            var roundTrip = Stopwatch.GetElapsedTime(sent);
            await signalling.SendAsync(new PunchMessage(PunchMessageKind.Sync, attempt), cancellationToken).ConfigureAwait(false);
            await Task.Delay(roundTrip / 2, cancellationToken).ConfigureAwait(false);
            var result = await PunchAsync(plan, answer, attempt, started, cancellationToken).ConfigureAwait(false);
            if (result is not null) return result;
        }
        if (relay is null) throw new HolePunchException($"No direct connection after {_options.Attempts} attempts, and no relay to fall back on.");
        var circuit = RandomNumberGenerator.GetBytes(16);
        await signalling.SendAsync(new PunchMessage(PunchMessageKind.Relay, _options.Attempts, Circuit: circuit), cancellationToken).ConfigureAwait(false);
        // The answer shows the relay has been told of the circuit (the signal passed it), so the circuit can be joined.
        await ExpectAsync(signalling, PunchMessageKind.Relay, _options.Attempts, cancellationToken).ConfigureAwait(false);
        var stream = await relay.OpenCircuitAsync(circuit, cancellationToken).ConfigureAwait(false);
        return new PunchResult(stream, ConnectionMethod.Relay, _options.Attempts, Stopwatch.GetElapsedTime(started), null);
    }

    /// <summary>Connects from the responder's side: answers each CONNECT, dials on each SYNC, and follows the initiator to the relay.</summary>
    /// <exception cref="HolePunchException">The initiator went silent, or sent a message out of order.</exception>
    public async Task<PunchResult> RespondAsync(PunchPlan plan, ISignallingChannel signalling, IRelayFallback? relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(signalling);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var message = await ReceiveAsync(signalling, cancellationToken).ConfigureAwait(false);
            if (message.Kind == PunchMessageKind.Relay)
            {
                if (relay is null) throw new HolePunchException("The initiator asked for the relay, and this side has none.");
                await signalling.SendAsync(message, cancellationToken).ConfigureAwait(false);
                var stream = await relay.OpenCircuitAsync(message.Circuit, cancellationToken).ConfigureAwait(false);
                return new PunchResult(stream, ConnectionMethod.Relay, message.Attempt, Stopwatch.GetElapsedTime(started), null);
            }
            if (message.Kind != PunchMessageKind.Connect) throw new HolePunchException($"Expected CONNECT or RELAY, got {message.Kind}.");
            await signalling.SendAsync(Own(PunchMessageKind.Connect, message.Attempt, plan), cancellationToken).ConfigureAwait(false);
            await ExpectAsync(signalling, PunchMessageKind.Sync, message.Attempt, cancellationToken).ConfigureAwait(false);
            var result = await PunchAsync(plan, message, message.Attempt, started, cancellationToken).ConfigureAwait(false);
            if (result is not null) return result;
        }
    }

    private async Task<PunchResult?> PunchAsync(PunchPlan plan, PunchMessage other, int attempt, long started, CancellationToken cancellationToken)
    {
        if (other.Tcp is null) throw new HolePunchException("The other side sent no TCP address.");
        var tcp = TcpPunch.TryAsync(plan.LocalTcp, other.Tcp, _options.AttemptTimeout, cancellationToken);
        var udp = plan.Udp is not null && other.Udp is not null
            ? UdpPunch.TryAsync(plan.Udp, other.Udp, plan.UdpToken, _options.AttemptTimeout, _options.UdpPunchInterval, cancellationToken)
            : Task.FromResult<IPEndPoint?>(null);
        var stream = await tcp.ConfigureAwait(false);
        var udpPeer = await udp.ConfigureAwait(false);
        if (stream is null) return null;
        return new PunchResult(stream.Value.Socket, stream.Value.Method, attempt, Stopwatch.GetElapsedTime(started), udpPeer);
    }

    private static PunchMessage Own(PunchMessageKind kind, int attempt, PunchPlan plan) => new(kind, attempt, plan.ObservedTcp, plan.ObservedUdp);

    private async Task<PunchMessage> ExpectAsync(ISignallingChannel signalling, PunchMessageKind kind, int attempt, CancellationToken cancellationToken)
    {
        var message = await ReceiveAsync(signalling, cancellationToken).ConfigureAwait(false);
        if (message.Kind != kind || message.Attempt != attempt)
            throw new HolePunchException($"Expected {kind} of attempt {attempt}, got {message.Kind} of attempt {message.Attempt}.");
        return message;
    }

    private async Task<PunchMessage> ReceiveAsync(ISignallingChannel signalling, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(_options.SignalTimeout);
        try
        {
            return await signalling.ReceiveAsync(window.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HolePunchException($"The other side sent nothing through the signalling channel for {_options.SignalTimeout.TotalSeconds:0.#} s.");
        }
    }
}

/// <summary>The punch's limits; the defaults follow DCUtR (three attempts).</summary>
public sealed record HolePunchOptions
{
    public int Attempts { get; init; } = 3;

    /// <summary>How long one attempt's dials and UDP punches run.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for the other side's next message on the signalling channel.</summary>
    public TimeSpan SignalTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan UdpPunchInterval { get; init; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>The hole punch could not produce a connection.</summary>
public sealed class HolePunchException(string message) : Exception(message);
