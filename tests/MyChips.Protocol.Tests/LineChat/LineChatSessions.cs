using System.Threading.Channels;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.LineChat;

/// <summary>The server of the line protocol: answers every line, and leaves when the client quits.</summary>
public sealed class LineChatServerSession : ProtocolSession<ServerConnection>, IServerActions
{
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    public async ValueTask<ActionOutcome> AnswerAsync(string words)
    {
        await Connection.SendSayAsync($"you said {words}");
        return ActionOutcome.Continue;
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);
}

/// <summary>The client: says hello on start and collects the answers.</summary>
public sealed class LineChatClientSession : ProtocolSession<ClientConnection>, IClientActions
{
    private readonly Channel<string> _heard = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelReader<string> Heard => _heard.Reader;

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendSayAsync("hello");
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> HearAsync(string words)
    {
        _heard.Writer.TryWrite(words);
        return new(ActionOutcome.Continue);
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.StartAsync();

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _heard.Writer.TryComplete();
        _closed.TrySetResult(reason);
    }
}
