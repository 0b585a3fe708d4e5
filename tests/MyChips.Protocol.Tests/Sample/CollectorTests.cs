using MyChips.Protocol.Tests.Sample;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Tests.SampleSpec;

/// <summary>The test spec's machine: typed record parameters, a guarded stay, 'any' expansion.</summary>
public sealed class CollectorTests
{
    private sealed class Recorder : ICollectorActions
    {
        public List<string> Done { get; } = new();

        public bool Room { get; set; } = true;

        public ValueTask<ActionOutcome> GreetAsync(Greeting greeting)
        {
            Done.Add("Greet " + greeting.Name);
            return new(ActionOutcome.Continue);
        }

        public ValueTask<ActionOutcome> StoreAsync(Reading reading)
        {
            Done.Add("Store " + reading.Sensor);
            return new(ActionOutcome.Continue);
        }

        public bool AcceptsMore() => Room;
    }

    private static readonly Reading Sample = new("s1", 1, 2.0, 0, true, null, null, null);

    [Fact]
    public async Task A_stream_runs_from_greeting_to_bye()
    {
        var recorder = new Recorder();
        var collector = new CollectorConnection(recorder);

        Assert.True((await collector.ReceivedHelloAsync(new Greeting("s1", 1, null, null))).Fired);
        Assert.True((await collector.ReceivedMeasureAsync(Sample)).Fired);
        Assert.True((await collector.ReceivedBlobAsync(new byte[] { 1 })).Fired);
        Assert.True((await collector.ReceivedByeAsync()).Fired);

        Assert.Equal(CollectorState.Done, collector.State);
        Assert.Equal(new[] { "Greet s1", "Store s1" }, recorder.Done);
    }

    [Fact]
    public async Task A_guard_that_says_no_refuses_the_trigger_and_runs_nothing()
    {
        var recorder = new Recorder { Room = false };
        var collector = new CollectorConnection(recorder, CollectorState.Streaming);

        Assert.False((await collector.ReceivedMeasureAsync(Sample)).Fired);
        Assert.True(collector.CanFire(CollectorTrigger.ReceivedMeasure));
        Assert.Empty(recorder.Done);
        Assert.Equal(CollectorState.Streaming, collector.State);
    }

    [Fact]
    public async Task Any_covers_every_state_but_the_final_one()
    {
        foreach (var state in Enum.GetValues<CollectorState>())
        {
            var collector = new CollectorConnection(new Recorder(), state);

            Assert.Equal(state != CollectorState.Done, (await collector.StopAsync()).Fired);
            Assert.Equal(CollectorState.Done, collector.State);
        }
    }

    [Fact]
    public void A_machine_without_timeouts_has_no_timeout_type()
    {
        Assert.Null(typeof(CollectorConnection).Assembly.GetType("MyChips.Protocol.Tests.Sample.CollectorTimeout"));
    }
}
