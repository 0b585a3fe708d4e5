using System.Text;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// The initiator's machine for the engine. The spec gives the initiator none (its commands come from the
/// application, so the model checker plays it as a free environment); this one follows only the greeting, the
/// listener's version and then <c>(okay)</c>, within the <c>greeting</c> timeout. After it every line is read by the
/// initiator's own steps, and one that comes unasked breaks the protocol.
/// </summary>
internal sealed class InitiatorGreeting(CiyamInitiator session) : IConnectionMachine
{
    private static readonly TimeSpan Greeting = TimeSpan.FromSeconds(10);
    private State _state = State.Greeting;

    private enum State
    {
        Greeting,
        Ready,
        Closed,
    }

    public string StateName => _state.ToString();

    public bool IsFinal => _state == State.Closed;

    public IReadOnlyList<string> TimeoutNames { get; } = ["greeting"];

    public bool Accepts(byte packetType) => _state == State.Greeting && (PacketType)packetType is PacketType.Data or PacketType.Okay;

    public ValueTask<ActionOutcome> ReceiveAsync(byte packetType, ReadOnlyMemory<byte> body)
    {
        if (!Accepts(packetType)) return new(ActionOutcome.NotAllowed);
        if ((PacketType)packetType == PacketType.Data) return session.HearVersion(Encoding.UTF8.GetString(body.Span));
        _state = State.Ready;
        return session.Greeted();
    }

    public TimeSpan GetTimeout(string name) => Greeting;

    public bool IsArmed(string name) => _state == State.Greeting;

    public ValueTask<ActionOutcome> ExpireAsync(string name)
    {
        _state = State.Closed;
        return new(ActionOutcome.Continue);
    }

    public ValueTask EndAsync(string? failure)
    {
        _state = State.Closed;
        return ValueTask.CompletedTask;
    }
}

/// <summary>The CIYAM spec for the engine, with <see cref="InitiatorGreeting"/> as the initiator's machine.</summary>
internal sealed class CiyamInitiatorProtocol : ProtocolDescription
{
    public static readonly CiyamInitiatorProtocol Instance = new();

    private CiyamInitiatorProtocol()
        : base(CiyamPeerDescription.Instance.Name, CiyamPeerDescription.Instance.Framing, CiyamPeerDescription.Instance.MaxFrameLength, CiyamPeerDescription.Instance.Packets)
    {
    }

    public override IConnectionMachine? CreateMachine(ConnectionRole role, object session) =>
        role == ConnectionRole.Initiator ? new InitiatorGreeting((CiyamInitiator)session) : CiyamPeerDescription.Instance.CreateMachine(role, session);
}
