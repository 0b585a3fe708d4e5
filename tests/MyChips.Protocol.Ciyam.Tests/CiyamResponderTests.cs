using MyChips.Protocol.Ciyam;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Tests;

/// <summary>The CIYAM command order: chk first, tls only at the start, put and get alternating, help once.</summary>
public sealed class CiyamResponderTests
{
    private sealed class Recorder : IResponderActions
    {
        public List<string> Done { get; } = new();

        public bool HelpUsed { get; set; }

        public ValueTask<ActionOutcome> StartTlsAsync() => Record("StartTls");

        public ValueTask<ActionOutcome> AnswerFirstCheckAsync(string arguments) => Record($"AnswerFirstCheck({arguments})");

        public ValueTask<ActionOutcome> AnswerCheckAsync(string arguments) => Record($"AnswerCheck({arguments})");

        public ValueTask<ActionOutcome> ExchangePeerAsync(string arguments) => Record($"ExchangePeer({arguments})");

        public ValueTask<ActionOutcome> StoreFileAsync(string arguments) => Record($"StoreFile({arguments})");

        public ValueTask<ActionOutcome> SendFileAsync(string arguments) => Record($"SendFile({arguments})");

        public ValueTask<ActionOutcome> ShowHelpAsync()
        {
            HelpUsed = true;
            return Record("ShowHelp");
        }

        public ValueTask<ActionOutcome> RefuseLineAsync(string line) => Record($"RefuseLine({line})");

        public ValueTask<ActionOutcome> StopWaitingAsync() => Record("StopWaiting");

        public bool HelpNotYetUsed() => !HelpUsed;

        private ValueTask<ActionOutcome> Record(string what)
        {
            Done.Add(what);
            return new(ActionOutcome.Continue);
        }
    }

    public static TheoryData<ResponderState, ResponderTrigger, ResponderState, string[]> Transitions => new()
    {
        { ResponderState.Connected, ResponderTrigger.ReceivedTls, ResponderState.Secured, new[] { "StartTls" } },
        { ResponderState.Connected, ResponderTrigger.ReceivedCheck, ResponderState.Checked, new[] { "AnswerFirstCheck(x)" } },
        { ResponderState.Secured, ResponderTrigger.ReceivedCheck, ResponderState.Checked, new[] { "AnswerFirstCheck(x)" } },
        { ResponderState.Checked, ResponderTrigger.Found, ResponderState.ExpectingGet, Array.Empty<string>() },
        { ResponderState.Checked, ResponderTrigger.HelloExchanged, ResponderState.ExpectingPut, Array.Empty<string>() },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedCheck, ResponderState.ExpectingPut, new[] { "AnswerCheck(x)" } },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedCheck, ResponderState.ExpectingGet, new[] { "AnswerCheck(x)" } },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedPip, ResponderState.ExpectingPut, new[] { "ExchangePeer(x)" } },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedPip, ResponderState.ExpectingGet, new[] { "ExchangePeer(x)" } },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedPut, ResponderState.ExpectingGet, new[] { "StoreFile(x)" } },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedGet, ResponderState.ExpectingPut, new[] { "SendFile(x)" } },
        { ResponderState.Connected, ResponderTrigger.ReceivedHelp, ResponderState.Connected, new[] { "ShowHelp" } },
        { ResponderState.Secured, ResponderTrigger.ReceivedHelp, ResponderState.Secured, new[] { "ShowHelp" } },
        { ResponderState.Checked, ResponderTrigger.ReceivedHelp, ResponderState.Checked, new[] { "ShowHelp" } },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedHelp, ResponderState.ExpectingPut, new[] { "ShowHelp" } },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedHelp, ResponderState.ExpectingGet, new[] { "ShowHelp" } },
        { ResponderState.Connected, ResponderTrigger.ReceivedBye, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Secured, ResponderTrigger.ReceivedBye, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Checked, ResponderTrigger.ReceivedBye, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedBye, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedBye, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Connected, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Secured, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Checked, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.ExpectingPut, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.ExpectingGet, ResponderTrigger.Failed, ResponderState.Closed, Array.Empty<string>() },
        { ResponderState.Connected, ResponderTrigger.ReceivedData, ResponderState.Closed, new[] { "RefuseLine(x)" } },
        { ResponderState.Secured, ResponderTrigger.ReceivedData, ResponderState.Closed, new[] { "RefuseLine(x)" } },
        { ResponderState.Checked, ResponderTrigger.ReceivedData, ResponderState.Closed, new[] { "RefuseLine(x)" } },
        { ResponderState.ExpectingPut, ResponderTrigger.ReceivedData, ResponderState.Closed, new[] { "RefuseLine(x)" } },
        { ResponderState.ExpectingGet, ResponderTrigger.ReceivedData, ResponderState.Closed, new[] { "RefuseLine(x)" } },
        { ResponderState.Connected, ResponderTrigger.GreetingTimedOut, ResponderState.Closed, new[] { "StopWaiting" } },
        { ResponderState.Secured, ResponderTrigger.GreetingTimedOut, ResponderState.Closed, new[] { "StopWaiting" } },
        { ResponderState.ExpectingPut, ResponderTrigger.AwaitingPutTimedOut, ResponderState.Closed, new[] { "StopWaiting" } },
        { ResponderState.ExpectingGet, ResponderTrigger.AwaitingGetTimedOut, ResponderState.Closed, new[] { "StopWaiting" } },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task Each_transition_reaches_its_state_and_runs_its_actions(ResponderState from, ResponderTrigger trigger, ResponderState to, string[] actions)
    {
        var recorder = new Recorder();
        var connection = new ResponderConnection(recorder, from);

        Assert.True(await Fire(connection, trigger));
        Assert.Equal(to, connection.State);
        Assert.Equal(actions, recorder.Done);
    }

    [Fact]
    public void The_table_holds_exactly_the_transitions_of_the_spec()
    {
        var table = Transitions.Select(row => ((ResponderState)row[0], (ResponderTrigger)row[1])).ToHashSet();
        var spec = AllPairs().Where(p => ResponderStateMachine.IsDefined(p.State, p.Trigger)).ToHashSet();

        Assert.Equal(spec.Order(), table.Order());
    }

    [Fact]
    public async Task Every_command_out_of_order_is_refused()
    {
        foreach (var (state, trigger) in AllPairs().Where(p => !ResponderStateMachine.IsDefined(p.State, p.Trigger)))
        {
            var connection = new ResponderConnection(new Recorder(), state);

            Assert.False(await Fire(connection, trigger), $"{trigger} in {state}");
            Assert.Equal(state, connection.State);
        }
    }

    [Fact]
    public async Task The_session_of_the_protocol_description_is_accepted()
    {
        var recorder = new Recorder();
        var session = new ResponderConnection(recorder);

        Assert.True((await session.ReceivedCheckAsync("hello")).Fired);
        Assert.True((await session.HelloExchangedAsync()).Fired);
        Assert.True((await session.ReceivedPutAsync("cceeb7")).Fired);
        Assert.True((await session.ReceivedGetAsync("cceeb7")).Fired);
        Assert.True((await session.ReceivedPutAsync("cceeb7")).Fired);
        Assert.True((await session.ReceivedPipAsync("127.0.0.1")).Fired);
        Assert.True((await session.ReceivedGetAsync("cceeb7")).Fired);
        Assert.True((await session.ReceivedByeAsync()).Fired);

        Assert.True(session.IsFinal);
        Assert.Equal(6, recorder.Done.Count);
    }

    [Fact]
    public async Task Tls_only_at_the_start_and_put_get_must_alternate()
    {
        var session = new ResponderConnection(new Recorder());

        Assert.False((await session.ReceivedPutAsync("x")).Fired);
        Assert.True((await session.ReceivedCheckAsync("x")).Fired);
        Assert.False((await session.ReceivedPutAsync("x")).Fired);
        Assert.True((await session.HelloExchangedAsync()).Fired);
        Assert.False((await session.ReceivedTlsAsync()).Fired);
        Assert.False((await session.ReceivedGetAsync("x")).Fired);
        Assert.True((await session.ReceivedPutAsync("x")).Fired);
        Assert.False((await session.ReceivedPutAsync("x")).Fired);
        Assert.Equal(ResponderState.ExpectingGet, session.State);
    }

    [Fact]
    public async Task Help_is_answered_once_per_session()
    {
        var recorder = new Recorder();
        var session = new ResponderConnection(recorder);

        Assert.True((await session.ReceivedHelpAsync()).Fired);
        Assert.False((await session.ReceivedHelpAsync()).Fired);
        Assert.True(session.Accepts(PacketType.Help));
        Assert.Equal(new[] { "ShowHelp" }, recorder.Done);
        Assert.Equal(ResponderState.Connected, session.State);
    }

    [Fact]
    public void The_guard_description_reaches_the_diagram()
    {
        Assert.Contains("help has not been asked this session", ResponderStateMachine.ToDotGraph(), StringComparison.Ordinal);
    }

    private static IEnumerable<(ResponderState State, ResponderTrigger Trigger)> AllPairs() =>
        from state in Enum.GetValues<ResponderState>()
        from trigger in Enum.GetValues<ResponderTrigger>()
        select (state, trigger);

    private static async ValueTask<bool> Fire(ResponderConnection connection, ResponderTrigger trigger) => (await (trigger switch
    {
        ResponderTrigger.ReceivedCheck => connection.ReceivedCheckAsync("x"),
        ResponderTrigger.ReceivedGet => connection.ReceivedGetAsync("x"),
        ResponderTrigger.ReceivedPut => connection.ReceivedPutAsync("x"),
        ResponderTrigger.ReceivedPip => connection.ReceivedPipAsync("x"),
        ResponderTrigger.ReceivedTls => connection.ReceivedTlsAsync(),
        ResponderTrigger.ReceivedBye => connection.ReceivedByeAsync(),
        ResponderTrigger.ReceivedHelp => connection.ReceivedHelpAsync(),
        ResponderTrigger.Failed => connection.FailedAsync("reset"),
        ResponderTrigger.Found => connection.FoundAsync(),
        ResponderTrigger.HelloExchanged => connection.HelloExchangedAsync(),
        ResponderTrigger.ReceivedData => connection.ReceivedDataAsync("x"),
        ResponderTrigger.GreetingTimedOut => connection.GreetingTimedOutAsync(),
        ResponderTrigger.AwaitingPutTimedOut => connection.AwaitingPutTimedOutAsync(),
        ResponderTrigger.AwaitingGetTimedOut => connection.AwaitingGetTimedOutAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "a trigger the test does not know: add it"),
    })).Fired;
}
