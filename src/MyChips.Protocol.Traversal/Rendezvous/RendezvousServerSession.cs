using System.Net;
using System.Security.Cryptography;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>The server's side of one client: registers its name, tells it the address it is seen at, and forwards its signals.</summary>
internal sealed class RendezvousServerSession(RendezvousServer server) : ProtocolSession<ServerConnection>, IServerActions
{
    /// <summary>The name the client registered, once it did.</summary>
    public string? Name { get; private set; }

    /// <summary>The token the client's UDP probe must carry.</summary>
    public byte[] ProbeToken { get; } = RandomNumberGenerator.GetBytes(UdpProbe.TokenLength);

    public ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting) => SendThenContinue(Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty));

    public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting) => new(ActionOutcome.Continue);

    public async ValueTask<ActionOutcome> RegisterAsync(Registration registration)
    {
        var refusal = server.TryRegister(registration.Name, this);
        if (refusal is not null)
        {
            await Connection.SendRefusedAsync(refusal);
            return ActionOutcome.Close(refusal);
        }
        Name = registration.Name;
        var seenAt = (IPEndPoint)Connection.RemoteEndPoint!;
        await Connection.SendObservedAsync(new Observation(seenAt.ToString(), ProbeToken, server.RelayPort));
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> ForwardConnectAsync(Signal signal) => ForwardAsync(signal, (to, s) => to.SendConnectAsync(s));

    public ValueTask<ActionOutcome> ForwardSyncAsync(Signal signal) => ForwardAsync(signal, (to, s) => to.SendSyncAsync(s));

    public ValueTask<ActionOutcome> ForwardRelayAsync(Signal signal)
    {
        if (server.RelayPort is null || signal.Circuit is not { Length: RelayCircuits.CircuitIdLength } circuit)
            return SendThenContinue(Connection.SendRefusedAsync(server.RelayPort is null ? "this server does not relay" : "a relay signal names a 16-byte circuit"));
        server.ExpectCircuit(circuit);
        return ForwardAsync(signal, (to, s) => to.SendRelayAsync(s));
    }

    // The target sees who sent the signal in its peer field; a signal to a name nobody holds is refused.
    private async ValueTask<ActionOutcome> ForwardAsync(Signal signal, Func<ProtocolConnection, Signal, ValueTask> send)
    {
        var target = server.Find(signal.Peer);
        if (target is null || target == this)
        {
            await Connection.SendRefusedAsync($"no client named '{signal.Peer}'");
            return ActionOutcome.Continue;
        }
        try
        {
            await send(target.Connection, signal with { Peer = Name! });
        }
        catch (InvalidOperationException)
        {
            await Connection.SendRefusedAsync($"no client named '{signal.Peer}'"); // it closed meanwhile
        }
        return ActionOutcome.Continue;
    }

    protected override void OnClosed(ConnectionCloseReason reason) => server.Unregister(this);

    private static async ValueTask<ActionOutcome> SendThenContinue(ValueTask send)
    {
        await send;
        return ActionOutcome.Continue;
    }
}
