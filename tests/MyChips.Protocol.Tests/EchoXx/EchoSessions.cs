using System.Threading.Channels;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// The server side of the echo protocol: all the hand-written code it needs on the engine. The handshake
/// packets carry empty payloads; each line comes back as it came, and "quit" ends the connection.
/// </summary>
public sealed class EchoServerSession : ProtocolSession<ServerConnection>, IServerActions
{
    public const string Quit = "quit";

    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The socket was accepted and the engine's first step ran.</summary>
    public Task Connected => _connected.Task;

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    /// <summary>The handshake completed on this side, by the client's last message.</summary>
    public Task HandshakeCompleted => _completed.Task;

    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting) => new(ActionOutcome.Continue);

    public async ValueTask<ActionOutcome> EchoAsync(string text)
    {
        if (text == Quit) return ActionOutcome.Close("the client asked to quit");
        await Connection.SendLineAsync(text);
        return ActionOutcome.Continue;
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync()
    {
        _connected.TrySetResult();
        return base.OnConnectedAsync();
    }

    protected override void OnHandshakeCompleted() => _completed.TrySetResult();

    protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);
}

/// <summary>The client side: greets on connect, finishes the handshake on the answer, and collects what it hears.</summary>
public sealed class EchoClientSession : ProtocolSession<ClientConnection>, IClientActions
{
    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelReader<string> Heard => _heard.Reader;

    /// <summary>The handshake completed on this side.</summary>
    public Task Opened => _opened.Task;

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> FinishAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendFinishAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> HearAsync(string text)
    {
        _heard.Writer.TryWrite(text);
        return new(ActionOutcome.Continue);
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    protected override void OnHandshakeCompleted() => _opened.TrySetResult();

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _heard.Writer.TryComplete();
        _opened.TrySetException(new InvalidOperationException($"closed before the handshake completed: {reason}"));
        _closed.TrySetResult(reason);
    }
}
