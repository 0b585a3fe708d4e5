using System.Text.Json;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Every transition of the spec's Initiator machine, and every trigger it refuses.</summary>
public sealed class InitiatorConnectionTests
{
    private static readonly JsonElement Message = JsonDocument.Parse("""{"target":"chit"}""").RootElement.Clone();

    public static TheoryData<InitiatorState, InitiatorTrigger, InitiatorState, string[]> Transitions => new()
    {
        { InitiatorState.Idle, InitiatorTrigger.Connect, InitiatorState.Pending, new[] { "SendDeclareAndKnock()" } },
        { InitiatorState.Idle, InitiatorTrigger.ConnectWithTicket, InitiatorState.Pending, new[] { "SendTicket()" } },
        { InitiatorState.Idle, InitiatorTrigger.Failed, InitiatorState.Closed, Array.Empty<string>() },
        { InitiatorState.Idle, InitiatorTrigger.Close, InitiatorState.Closed, Array.Empty<string>() },
        { InitiatorState.Pending, InitiatorTrigger.ReceivedAck, InitiatorState.Open, new[] { "CompleteHandshake(0 bytes)" } },
        { InitiatorState.Pending, InitiatorTrigger.HandshakeTimedOut, InitiatorState.Closed, new[] { "Abandon()" } },
        { InitiatorState.Pending, InitiatorTrigger.Failed, InitiatorState.Closed, Array.Empty<string>() },
        { InitiatorState.Pending, InitiatorTrigger.Close, InitiatorState.Closed, Array.Empty<string>() },
        { InitiatorState.Open, InitiatorTrigger.ReceivedTransport, InitiatorState.Open, Array.Empty<string>() },
        { InitiatorState.Open, InitiatorTrigger.ReceivedReceipt, InitiatorState.Open, Array.Empty<string>() },
        { InitiatorState.Open, InitiatorTrigger.ReceivedBatch, InitiatorState.Open, Array.Empty<string>() },
        { InitiatorState.Open, InitiatorTrigger.Failed, InitiatorState.Closed, Array.Empty<string>() },
        { InitiatorState.Open, InitiatorTrigger.Close, InitiatorState.Closed, Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task Each_transition_reaches_its_state_and_runs_its_actions(InitiatorState from, InitiatorTrigger trigger, InitiatorState to, string[] actions)
    {
        var recorder = new RecordingActions();
        var connection = new InitiatorConnection(recorder, from);

        Assert.True(await Fire(connection, trigger));
        Assert.Equal(to, connection.State);
        Assert.Equal(actions, recorder.Done);
    }

    [Fact]
    public void The_table_holds_exactly_the_transitions_of_the_spec()
    {
        var table = Transitions.Select(row => ((InitiatorState)row[0], (InitiatorTrigger)row[1])).ToHashSet();
        var spec = AllPairs().Where(p => InitiatorStateMachine.IsDefined(p.State, p.Trigger)).ToHashSet();

        Assert.Equal(spec.Order(), table.Order());
    }

    [Fact]
    public async Task Every_trigger_the_spec_does_not_allow_returns_false_and_changes_nothing()
    {
        foreach (var (state, trigger) in AllPairs().Where(p => !InitiatorStateMachine.IsDefined(p.State, p.Trigger)))
        {
            var recorder = new RecordingActions();
            var connection = new InitiatorConnection(recorder, state);

            Assert.False(await Fire(connection, trigger), $"{trigger} in {state}");
            Assert.Equal(state, connection.State);
            Assert.Empty(recorder.Done);
        }
    }

    [Fact]
    public async Task A_ticket_connection_opens_on_ack_and_then_takes_transport_on_the_fast_path()
    {
        var connection = new InitiatorConnection(new RecordingActions());

        Assert.True((await connection.ConnectWithTicketAsync()).Fired);
        Assert.True(connection.IsArmed(InitiatorTimeout.Handshake));
        Assert.False(connection.Accepts(PacketType.Transport));
        Assert.True(connection.Accepts(PacketType.Ack));
        Assert.True((await connection.ReceivedAckAsync(ReadOnlyMemory<byte>.Empty)).Fired);

        Assert.Equal(InitiatorState.Open, connection.State);
        Assert.True(connection.Accepts(PacketType.Transport));
        Assert.False(connection.IsArmed(InitiatorTimeout.Handshake));
        Assert.Equal(TimeSpan.FromSeconds(10), InitiatorConnection.HandshakeTimeout);
    }

    private static IEnumerable<(InitiatorState State, InitiatorTrigger Trigger)> AllPairs() =>
        from state in Enum.GetValues<InitiatorState>()
        from trigger in Enum.GetValues<InitiatorTrigger>()
        select (state, trigger);

    private static async ValueTask<bool> Fire(InitiatorConnection connection, InitiatorTrigger trigger) => (await (trigger switch
    {
        InitiatorTrigger.ReceivedAck => connection.ReceivedAckAsync(ReadOnlyMemory<byte>.Empty),
        InitiatorTrigger.ReceivedTransport => connection.ReceivedTransportAsync(Message),
        InitiatorTrigger.ReceivedReceipt => connection.ReceivedReceiptAsync(new byte[8]),
        InitiatorTrigger.ReceivedBatch => connection.ReceivedBatchAsync(new byte[16]),
        InitiatorTrigger.Connect => connection.ConnectAsync(),
        InitiatorTrigger.ConnectWithTicket => connection.ConnectWithTicketAsync(),
        InitiatorTrigger.Failed => connection.FailedAsync("refused"),
        InitiatorTrigger.Close => connection.CloseAsync(),
        InitiatorTrigger.HandshakeTimedOut => connection.HandshakeTimedOutAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "a trigger the test does not know: add it"),
    })).Fired;
}
