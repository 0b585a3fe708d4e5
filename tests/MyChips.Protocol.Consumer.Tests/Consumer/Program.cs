using System.Net;
using Consumer.Beacon;
using MyChips.Protocol.Connections;

// Two nodes of the beacon protocol over loopback, on the runtime's connection engine: the client says hello,
// the server says it back, and the client's machine ends in Done.
await using var server = new ProtocolNode(BeaconDescription.Instance);
var listening = server.Listen(new IPEndPoint(IPAddress.Loopback, 0), () => new ServerSession());
await using var client = new ProtocolNode(BeaconDescription.Instance);
var session = new ClientSession();
var connection = await client.ConnectAsync(listening, session);
await connection.Completion.WaitAsync(TimeSpan.FromSeconds(30));
Console.WriteLine($"{connection.StateName} {session.Heard} {PacketType.Hello}={(char)PacketType.Hello}");
return connection.StateName == "Done" && session.Heard == "hi" ? 0 : 1;

sealed class ServerSession : ProtocolSession<ServerConnection>, IServerActions
{
    public async ValueTask<ActionOutcome> EchoAsync(string text)
    {
        await Connection.SendEchoAsync(text);
        return ActionOutcome.Continue;
    }
}

sealed class ClientSession : ProtocolSession<ClientConnection>, IClientActions
{
    public string Heard { get; private set; } = "";

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync("hi");
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> HearAsync(string text)
    {
        Heard = text;
        return new(ActionOutcome.Continue);
    }
}
