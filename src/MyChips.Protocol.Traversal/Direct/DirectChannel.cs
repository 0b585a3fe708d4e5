using System.Net.Sockets;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Traversal.Calls;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Direct;

/// <summary>
/// The Noise channel between two nodes over the stream a hole punch (or the relay) gave them: text messages, and
/// calls whose media use the punched UDP path when there is one. The punch's initiator is the Noise initiator.
/// </summary>
public sealed class DirectChannel
{
    private readonly CallDesk _desk;
    private readonly IDirectSession _session;

    private DirectChannel(ProtocolConnection connection, CallDesk desk, IDirectSession session)
    {
        Connection = connection;
        _desk = desk;
        _session = session;
    }

    public ProtocolConnection Connection { get; }

    /// <summary>Completes when the handshake did (fails if the channel closed first).</summary>
    public Task Opened => _session.Opened;

    /// <summary>Text messages from the other node.</summary>
    public ChannelReader<string> Messages => _desk.Messages;

    /// <summary>Calls the other node placed (each accepted on arrival).</summary>
    public ChannelReader<MediaCall> IncomingCalls => _desk.IncomingCalls;

    /// <summary>Calls that ended, by either side.</summary>
    public ChannelReader<CallEnding> Endings => _desk.Endings;

    /// <summary>
    /// Runs the channel on <paramref name="node"/> (a node of <see cref="DirectCallDescription"/>) over the punch's stream;
    /// <paramref name="udp"/> is the socket the punch used for UDP, kept by the caller.
    /// </summary>
    public static DirectChannel Start(ProtocolNode node, PunchResult punch, bool isInitiator, Socket? udp)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(punch);
        var desk = new CallDesk(udp, punch.UdpPeer);
        if (isInitiator)
        {
            var session = new DirectInitiatorSession(desk);
            return new DirectChannel(node.Adopt(punch.Stream, ConnectionRole.Initiator, session), desk, session);
        }
        var responder = new DirectResponderSession(desk);
        return new DirectChannel(node.Adopt(punch.Stream, ConnectionRole.Responder, responder), desk, responder);
    }

    public ValueTask SendMessageAsync(string text, CancellationToken cancellationToken = default) => Connection.SendMessageAsync(text, cancellationToken);

    /// <summary>Places a call; completes with its media once the other side accepts.</summary>
    /// <exception cref="InvalidOperationException">A call is under way already, or the channel is not open.</exception>
    public async Task<MediaCall> CallAsync(CancellationToken cancellationToken = default)
    {
        var answered = _desk.BeginCall();
        var outcome = await Connection.RunAsync(_session.CallAsync).ConfigureAwait(false);
        if (outcome.Kind == ActionOutcomeKind.NotAllowed) throw new InvalidOperationException($"No call can be placed in state {Connection.StateName}.");
        return await answered.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the call under way, telling the other side.</summary>
    public async Task HangUpAsync()
    {
        var outcome = await Connection.RunAsync(_session.HangupAsync).ConfigureAwait(false);
        if (outcome.Kind == ActionOutcomeKind.NotAllowed) throw new InvalidOperationException($"No call to end in state {Connection.StateName}.");
    }
}
