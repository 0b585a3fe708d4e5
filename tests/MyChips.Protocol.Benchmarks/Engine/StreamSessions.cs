using System.Buffers;
using System.Collections.Concurrent;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Benchmarks.Engine;

/// <summary>The sending side: greets on connect; then the benchmark sends, packet by packet or in write turns.</summary>
public sealed class StreamSender : ProtocolSession<SenderConnection>, ISenderActions
{
    private static readonly PacketDescriptor Data = StreamNnDescription.Instance.GetPacket((byte)PacketType.Data);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<ReadOnlyMemory<byte>> _pending = new();

    public Task Opened => _opened.Task;

    public async ValueTask<ActionOutcome> GreetAsync()
    {
        await Connection.SendHelloAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    /// <summary>Queues a message for the next write turn (many messages then share one flush).</summary>
    public void Enqueue(ReadOnlyMemory<byte> message)
    {
        _pending.Enqueue(message);
        Connection.RequestWrite();
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync() => Machine.ConnectAsync();

    protected override void OnHandshakeCompleted() => _opened.TrySetResult();

    protected override void WritePending(ConnectionWriter writer)
    {
        // Bounded, so a turn never buffers an unbounded burst before its flush.
        for (var i = 0; i < 256 && _pending.TryDequeue(out var message); i++) writer.Write(Data, message.Span);
        if (!_pending.IsEmpty) Connection.RequestWrite();
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _opened.TrySetException(new InvalidOperationException(reason.ToString()));
}

/// <summary>The receiving side: counts messages through the machine's action, or reading them itself.</summary>
public sealed class StreamReceiver(int expected, bool readsItself) : ProtocolSession<ReceiverConnection>, IReceiverActions
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    public Task Done => _done.Task;

    public async ValueTask<ActionOutcome> ReplyAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendReplyAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakeAsync(ReadOnlyMemory<byte> message) => Count();

    protected override ValueTask<ActionOutcome?> ReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body)
    {
        if (!readsItself || packet.Type != (byte)PacketType.Data) return new((ActionOutcome?)null);
        var length = (int)body.Length - Connection.TransportOverhead;
        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            if (length < 0 || !Connection.TryDecryptTransport(body, plain.AsSpan(0, length))) return new(ActionOutcome.Close("a message failed to decrypt"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
        return Count().AsNullable();
    }

    private ValueTask<ActionOutcome> Count()
    {
        if (++_received == expected) _done.TrySetResult();
        return new(ActionOutcome.Continue);
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _done.TrySetException(new InvalidOperationException(reason.ToString()));
}

internal static class OutcomeExtensions
{
    public static ValueTask<ActionOutcome?> AsNullable(this ValueTask<ActionOutcome> outcome) => new((ActionOutcome?)outcome.Result);
}
