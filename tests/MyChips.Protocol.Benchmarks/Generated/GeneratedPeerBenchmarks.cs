using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Benchmarks.Generated;

/// <summary>
/// The generated MyCHIPs code on its hot and warm paths: reading and writing frames, the fast-path
/// traffic check, and one lifecycle step of a connection (which builds and fires a Stateless machine).
/// Run with: dotnet run -c Release --project tests/MyChips.Protocol.Benchmarks -- --filter '*GeneratedPeer*'
/// </summary>
[MemoryDiagnoser]
public class GeneratedPeerBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(64 * 1024);
    private readonly byte[] _body = new byte[256];
    private ReadOnlySequence<byte> _frames;
    private ResponderConnection _open = null!;
    private NoActions _actions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var wire = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 100; i++)
            FrameCodec.WriteFrame(wire, PacketType.Transport, _body);
        _frames = new ReadOnlySequence<byte>(wire.WrittenMemory);
        _actions = new NoActions();
        _open = new ResponderConnection(_actions, ResponderState.Open);
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int ReadFrames()
    {
        var buffer = _frames;
        var count = 0;
        while (FrameCodec.TryReadFrame(ref buffer, out _) == FrameReadStatus.Complete)
            count++;
        return count;
    }

    [Benchmark]
    public void WriteFrameInPlace()
    {
        _writer.ResetWrittenCount();
        var span = FrameCodec.BeginFrame(_writer, PacketType.Transport, _body.Length);
        _body.CopyTo(span);
        FrameCodec.CompleteFrame(_writer, _body.Length);
    }

    [Benchmark]
    public bool AcceptsTransport() => _open.Accepts(PacketType.Transport);

    [Benchmark]
    public async Task<bool> DeclareStep() => (await new ResponderConnection(_actions).ReceivedDeclareAsync("agent")).Fired;

    [Benchmark]
    public async Task<ResponderState> WholeKnockHandshake()
    {
        var connection = new ResponderConnection(_actions);
        await connection.ReceivedDeclareAsync("agent");
        await connection.ReceivedKnockAsync(default);
        await connection.KeysConfirmedAsync();
        return connection.State;
    }

    private sealed class NoActions : IResponderActions
    {
        public ValueTask<ActionOutcome> LoadPeerKeyAsync(string agentId) => new(ActionOutcome.Continue);
        public ValueTask<ActionOutcome> RecordOfferAsync(ReadOnlyMemory<byte> capabilities) => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> AcknowledgeKnockAsync(JsonElement peerMessage) => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> ValidateTicketAsync(JsonElement peerMessage) => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> AcknowledgeTicketAsync() => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> ConfirmByTransportAsync(JsonElement peerMessage) => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> ConfirmByReceiptAsync(ReadOnlyMemory<byte> count) => new(ActionOutcome.Continue);

        public ValueTask<ActionOutcome> ConfirmWithoutProofAsync() => new(ActionOutcome.Continue);
    }
}
