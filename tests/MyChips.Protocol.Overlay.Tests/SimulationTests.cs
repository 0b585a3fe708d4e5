using MyChips.Protocol.Overlay.Simulation;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>A small version of the benchmark's simulation: the same node code on an in-memory network.</summary>
public sealed class SimulationTests
{
    [Fact]
    public async Task Five_hundred_nodes_find_each_other_in_about_log_n_hops_and_reach_their_contacts()
    {
        var report = await OverlaySimulation.RunAsync(new SimulationSettings(Nodes: 500, Lookups: 500, FindMes: 100, Churn: 0));

        // Identities are random, so the figures move a little between runs; the bounds leave room for that only.
        Assert.True(report.LookupSuccess >= 0.99, $"lookups found their target {report.LookupSuccess:P1} of the time");
        Assert.InRange(report.MeanHops, 0.5, report.Log2Nodes / 2); // 0 hops: the target was in the table already
        Assert.InRange(report.P99Hops, 1, (int)report.Log2Nodes);
        Assert.InRange(report.MeanTableSize, 20, 500);
        Assert.True(report.FindMeDelivery >= 0.97, $"find-me delivered {report.FindMeDelivery:P1}");
    }

    [Fact]
    public async Task With_a_third_of_the_nodes_dead_lookups_and_find_me_still_mostly_succeed()
    {
        var report = await OverlaySimulation.RunAsync(new SimulationSettings(Nodes: 500, Lookups: 300, FindMes: 100, Churn: 0.3, Seed: 7));

        Assert.True(report.LookupSuccess >= 0.95, $"lookups found their target {report.LookupSuccess:P1} of the time");
        Assert.True(report.FindMeDelivery >= 0.85, $"find-me delivered {report.FindMeDelivery:P1}");
    }
}
