using System.Text.Json;
using MyChips.Protocol.Peers;
using Xunit.Abstractions;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// What a connection's state machine costs in memory: an idle open connection must stay far below
/// the 16 KiB budget, so the domain object keeps only its state and builds Stateless per step.
/// </summary>
[Collection(ProcessMemoryMeasurements.Name)]
public sealed class ConnectionMemoryTests(ITestOutputHelper output)
{
    private static readonly JsonElement Message = JsonDocument.Parse("{}").RootElement.Clone();

    [Fact]
    public void A_connection_object_takes_a_few_dozen_bytes()
    {
        var actions = new RecordingActions();
        _ = new ResponderConnection(actions);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var connection = new ResponderConnection(actions);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"ResponderConnection: {allocated} bytes");
        GC.KeepAlive(connection);
        Assert.InRange(allocated, 1, 64);
    }

    [Fact]
    public async Task Ten_thousand_open_connections_retain_under_a_hundred_bytes_each()
    {
        const int count = 10_000;
        var actions = new RecordingActions();
        var connections = new ResponderConnection[count];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            connections[i] = new ResponderConnection(actions);
            await connections[i].ReceivedDeclareAsync("agent");
            await connections[i].ReceivedKnockAsync(Message);
            await connections[i].KeysConfirmedAsync();
        }
        actions.Done.Clear();
        actions.Done.TrimExcess();
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var perConnection = (after - before) / (double)count;
        output.WriteLine($"retained per open ResponderConnection (including its array slot): {perConnection:F1} bytes");
        Assert.All(connections, c => Assert.Equal(ResponderState.Open, c.State));
        Assert.InRange(perConnection, 1, 100);
    }

    [Fact]
    public async Task A_lifecycle_step_allocates_transient_memory_that_is_not_retained()
    {
        var actions = new RecordingActions();
        await new ResponderConnection(actions).ReceivedDeclareAsync("warm-up");
        var connection = new ResponderConnection(actions);

        var before = GC.GetAllocatedBytesForCurrentThread();
        await connection.ReceivedDeclareAsync("agent");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"one lifecycle step (build the Stateless machine, fire, run the action): {allocated} bytes allocated");
        Assert.Equal(ResponderState.Identified, connection.State);
        Assert.InRange(allocated, 1, 16 * 1024);
    }

    [Fact]
    public void The_fast_path_check_allocates_nothing()
    {
        var connection = new ResponderConnection(new RecordingActions(), ResponderState.Open);
        connection.Accepts(PacketType.Transport);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var accepted = 0;
        for (var i = 0; i < 1000; i++)
            accepted += connection.Accepts(PacketType.Transport) ? 1 : 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, accepted);
        Assert.Equal(0, allocated);
    }
}

/// <summary>Tests that measure the whole process's heap run alone: allocations of parallel tests would count in their figures.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryMeasurements
{
    public const string Name = "Process memory measurements";
}
