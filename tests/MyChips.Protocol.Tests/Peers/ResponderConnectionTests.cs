using System.Text.Json;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Tests.Wire;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Every transition of the spec's Responder machine, and every trigger it refuses.</summary>
public sealed class ResponderConnectionTests
{
    private static readonly JsonElement Message = JsonDocument.Parse("""{"target":"tally"}""").RootElement.Clone();
    private static readonly byte[] Count = [0, 0, 0, 0, 0, 0, 0, 1];

    /// <summary>The spec's transitions: from, trigger, to, and the actions they run.</summary>
    public static TheoryData<ResponderState, ResponderTrigger, ResponderState, string[]> Transitions => new()
    {
        { ResponderState.Listening, ResponderTrigger.ReceivedDeclare, ResponderState.Identified, new[] { "LoadPeerKey(agent)" } },
        { ResponderState.Listening, ResponderTrigger.ReceivedOffer, ResponderState.Listening, new[] { "RecordOffer(1 bytes)" } },
        { ResponderState.Identified, ResponderTrigger.ReceivedOffer, ResponderState.Identified, new[] { "RecordOffer(1 bytes)" } },
        { ResponderState.Listening, ResponderTrigger.ReceivedTicket, ResponderState.Ticketed, new[] { """ValidateTicket({"target":"tally"})""" } },
        { ResponderState.Listening, ResponderTrigger.HandshakeTimedOut, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Listening, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Listening, ResponderTrigger.Close, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Identified, ResponderTrigger.ReceivedKnock, ResponderState.Confirming, new[] { """AcknowledgeKnock({"target":"tally"})""" } },
        { ResponderState.Identified, ResponderTrigger.HandshakeTimedOut, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Identified, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Identified, ResponderTrigger.Close, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Ticketed, ResponderTrigger.TicketAccepted, ResponderState.Confirming, new[] { "AcknowledgeTicket()" } },
        { ResponderState.Ticketed, ResponderTrigger.TicketRejected, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Ticketed, ResponderTrigger.HandshakeTimedOut, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Ticketed, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Ticketed, ResponderTrigger.Close, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Confirming, ResponderTrigger.ReceivedTransport, ResponderState.Open, new[] { """ConfirmByTransport({"target":"tally"})""" } },
        { ResponderState.Confirming, ResponderTrigger.ReceivedReceipt, ResponderState.Open, new[] { "ConfirmByReceipt(0000000000000001)" } },
        { ResponderState.Confirming, ResponderTrigger.KeysConfirmed, ResponderState.Open, new[] { "ConfirmWithoutProof()" } },
        { ResponderState.Confirming, ResponderTrigger.HandshakeTimedOut, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Confirming, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Confirming, ResponderTrigger.Close, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.ReceivedTransport, ResponderState.Open, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.ReceivedReceipt, ResponderState.Open, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.ReceivedBatch, ResponderState.Open, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.IdleTimedOut, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Open, ResponderTrigger.Close, ResponderState.Closed, Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task Each_transition_reaches_its_state_and_runs_its_actions(ResponderState from, ResponderTrigger trigger, ResponderState to, string[] actions)
    {
        var recorder = new RecordingActions();
        var connection = new ResponderConnection(recorder, from);
        var changes = new List<ResponderTransition>();
        connection.StateChanged += changes.Add;

        var fired = await Fire(connection, trigger);

        Assert.True(fired);
        Assert.Equal(to, connection.State);
        Assert.Equal(actions, recorder.Done);
        Assert.Equal(from == to ? Array.Empty<ResponderTransition>() : new[] { new ResponderTransition(from, to, trigger) }, changes);
    }

    [Fact]
    public void The_table_holds_exactly_the_transitions_of_the_spec()
    {
        var table = Transitions.Select(row => ((ResponderState)row[0], (ResponderTrigger)row[1])).ToHashSet();
        var spec = AllPairs().Where(p => ResponderStateMachine.IsDefined(p.State, p.Trigger)).ToHashSet();

        Assert.Equal(spec.Order(), table.Order());
    }

    [Fact]
    public async Task Every_trigger_the_spec_does_not_allow_returns_false_and_changes_nothing()
    {
        var refused = 0;
        foreach (var (state, trigger) in AllPairs().Where(p => !ResponderStateMachine.IsDefined(p.State, p.Trigger)))
        {
            var recorder = new RecordingActions();
            var connection = new ResponderConnection(recorder, state);
            connection.StateChanged += _ => Assert.Fail("no transition expected");

            Assert.False(await Fire(connection, trigger), $"{trigger} in {state}");
            Assert.Equal(state, connection.State);
            Assert.Empty(recorder.Done);
            refused++;
        }
        Assert.True(refused > 0);
    }

    [Fact]
    public async Task A_later_connection_goes_from_declare_and_knock_to_open_to_idle_close()
    {
        var recorder = new RecordingActions();
        var connection = new ResponderConnection(recorder);
        Assert.Equal(ResponderState.Listening, connection.State);
        Assert.True(connection.IsArmed(ResponderTimeout.Handshake));

        Assert.True((await connection.ReceivedDeclareAsync(WirePackets.AgentId)).Fired);
        Assert.True((await connection.ReceivedKnockAsync(Message)).Fired);
        Assert.Equal(ResponderState.Confirming, connection.State);
        Assert.True(connection.IsArmed(ResponderTimeout.Handshake));
        Assert.True(connection.Accepts(PacketType.Receipt));
        Assert.True((await connection.ReceivedReceiptAsync(Count)).Fired);
        Assert.Equal(ResponderState.Open, connection.State);
        Assert.False(connection.IsArmed(ResponderTimeout.Handshake));
        Assert.True(connection.IsArmed(ResponderTimeout.Idle));
        Assert.True(connection.Accepts(PacketType.Transport));
        Assert.False(connection.Accepts(PacketType.Knock));

        Assert.True((await connection.IdleTimedOutAsync()).Fired);
        Assert.True(connection.IsFinal);
        Assert.False(connection.Accepts(PacketType.Transport));
        Assert.False((await connection.CloseAsync()).Fired);
    }

    [Fact]
    public async Task A_trigger_fired_from_inside_an_action_sees_the_new_state()
    {
        var recorder = new RecordingActions();
        var connection = new ResponderConnection(recorder);
        recorder.DuringValidateTicket = async () => Assert.True((await connection.TicketAcceptedAsync()).Fired);

        Assert.True((await connection.ReceivedTicketAsync(Message)).Fired);

        Assert.Equal(ResponderState.Confirming, connection.State);
        Assert.Equal(new[] { """ValidateTicket({"target":"tally"})""", "AcknowledgeTicket()" }, recorder.Done);
    }

    [Fact]
    public void Accepts_matches_the_received_packet_transitions()
    {
        foreach (var state in Enum.GetValues<ResponderState>())
        {
            var connection = new ResponderConnection(new RecordingActions(), state);
            foreach (var type in PacketTypes.All)
            {
                var expected = Enum.TryParse<ResponderTrigger>("Received" + type, out var trigger)
                    && ResponderStateMachine.IsDefined(state, trigger);
                Assert.Equal(expected, connection.Accepts(type));
            }
        }
    }

    [Fact]
    public void Timeouts_come_from_the_spec()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), ResponderConnection.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), ResponderConnection.IdleTimeout);
        Assert.True(ResponderStateMachine.IsArmed(ResponderState.Ticketed, ResponderTimeout.Handshake));
        Assert.False(ResponderStateMachine.IsArmed(ResponderState.Closed, ResponderTimeout.Idle));
    }

    [Fact]
    public void Diagrams_show_every_state()
    {
        var connection = new ResponderConnection(new RecordingActions());
        var mermaid = connection.ToMermaid();
        var dot = ResponderStateMachine.ToDotGraph();

        Assert.StartsWith("stateDiagram-v2", mermaid, StringComparison.Ordinal);
        Assert.StartsWith("digraph", dot, StringComparison.Ordinal);
        foreach (var state in Enum.GetNames<ResponderState>())
        {
            Assert.Contains(state, mermaid, StringComparison.Ordinal);
            Assert.Contains(state, dot, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<(ResponderState State, ResponderTrigger Trigger)> AllPairs() =>
        from state in Enum.GetValues<ResponderState>()
        from trigger in Enum.GetValues<ResponderTrigger>()
        select (state, trigger);

    private static async ValueTask<bool> Fire(ResponderConnection connection, ResponderTrigger trigger) => (await (trigger switch
    {
        ResponderTrigger.ReceivedTicket => connection.ReceivedTicketAsync(Message),
        ResponderTrigger.ReceivedDeclare => connection.ReceivedDeclareAsync("agent"),
        ResponderTrigger.ReceivedOffer => connection.ReceivedOfferAsync(new byte[] { 1 }),
        ResponderTrigger.ReceivedKnock => connection.ReceivedKnockAsync(Message),
        ResponderTrigger.ReceivedTransport => connection.ReceivedTransportAsync(Message),
        ResponderTrigger.ReceivedReceipt => connection.ReceivedReceiptAsync(Count),
        ResponderTrigger.ReceivedBatch => connection.ReceivedBatchAsync(new byte[16]),
        ResponderTrigger.KeysConfirmed => connection.KeysConfirmedAsync(),
        ResponderTrigger.TicketAccepted => connection.TicketAcceptedAsync(),
        ResponderTrigger.TicketRejected => connection.TicketRejectedAsync("expired"),
        ResponderTrigger.Failed => connection.FailedAsync("broken pipe"),
        ResponderTrigger.Close => connection.CloseAsync(),
        ResponderTrigger.HandshakeTimedOut => connection.HandshakeTimedOutAsync(),
        ResponderTrigger.IdleTimedOut => connection.IdleTimedOutAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "a trigger the test does not know: add it"),
    })).Fired;
}
