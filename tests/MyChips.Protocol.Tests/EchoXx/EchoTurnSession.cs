using System.Buffers;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// An echo server written for throughput: it reads its Line packets itself (no machine step per line) and answers
/// whatever arrived meanwhile in one write turn. With <see cref="WriteHandshakeInTurn"/> it misuses the turn instead.
/// </summary>
public sealed class EchoTurnSession : ProtocolSession<ServerConnection>, IServerActions
{
    private static readonly PacketDescriptor Line = EchoXxDescription.Instance.GetPacket((byte)PacketType.Line);
    private static readonly PacketDescriptor Answer = EchoXxDescription.Instance.GetPacket((byte)PacketType.Answer);

    private readonly Queue<byte[]> _pending = new();
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _machineEchoes;
    private int _turns;

    public bool WriteHandshakeInTurn { get; init; }

    /// <summary>Lines the generated machine handed to <see cref="EchoAsync"/>: none, as the session takes them first.</summary>
    public int MachineEchoes => Volatile.Read(ref _machineEchoes);

    public int Turns => Volatile.Read(ref _turns);

    public Task<ConnectionCloseReason> Closed => _closed.Task;

    public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
    {
        await Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting) => new(ActionOutcome.Continue);

    public ValueTask<ActionOutcome> EchoAsync(string text)
    {
        Interlocked.Increment(ref _machineEchoes);
        return new(ActionOutcome.Continue);
    }

    protected override ValueTask<ActionOutcome?> ReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body)
    {
        if (packet != Line) return new((ActionOutcome?)null);
        var payload = new byte[body.Length - Connection.TransportOverhead];
        if (!Connection.TryDecryptTransport(body, payload)) return new(ActionOutcome.Close("a line failed to decrypt"));
        lock (_pending) _pending.Enqueue(payload);
        Connection.RequestWrite();
        return new(ActionOutcome.Continue);
    }

    protected override void WritePending(ConnectionWriter writer)
    {
        Interlocked.Increment(ref _turns);
        if (WriteHandshakeInTurn) writer.Write(Answer, []);
        lock (_pending)
        {
            while (_pending.TryDequeue(out var line)) writer.Write(Line, line);
        }
    }

    protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);
}
