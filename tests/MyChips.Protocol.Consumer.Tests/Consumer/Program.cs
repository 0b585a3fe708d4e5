using Consumer.Beacon;

var actions = new EchoActions();
var server = new ServerConnection(actions);
var hello = TextCodec.ToBytes("hi");
if (!TextCodec.TryDecode((ReadOnlySpan<byte>)hello, out var text)) return 1;
await server.ReceivedHelloAsync(text);
Console.WriteLine($"{server.State} {actions.Echoed} {PacketType.Hello}={(char)PacketType.Hello}");
return server.State == ServerState.Greeted && actions.Echoed == "hi" ? 0 : 1;

sealed class EchoActions : IServerActions
{
    public string Echoed { get; private set; } = "";

    public ValueTask EchoAsync(string text)
    {
        Echoed = text;
        return ValueTask.CompletedTask;
    }
}
