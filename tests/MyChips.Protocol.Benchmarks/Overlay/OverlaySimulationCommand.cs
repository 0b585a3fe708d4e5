using System.Globalization;
using MyChips.Protocol.Overlay.Simulation;

namespace MyChips.Protocol.Benchmarks.Overlay;

/// <summary>
/// `overlay-sim [nodes] [lookups] [find-mes] [--alpha N]`: the overlay's in-memory simulation at 0%, 10% and 30%
/// churn, one fresh network each, printed as the table in docs/benchmarks.md.
/// </summary>
internal static class OverlaySimulationCommand
{
    public static async Task RunAsync(int nodes, int lookups, int findMes, int alpha)
    {
        Console.WriteLine($"Overlay simulation: {nodes} nodes joined through one entry point, {lookups} lookups, {findMes} find-me deliveries, alpha {alpha}, k 20");
        Console.WriteLine("| churn | lookups found | hops mean | hops p99 | hops max | log2 n | FIND_NODE per lookup | table size mean (min-max) | find-me delivered | packets per find-me | join s | run s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var churn in new[] { 0.0, 0.1, 0.3 })
        {
            var r = await OverlaySimulation.RunAsync(new SimulationSettings(nodes, lookups, findMes, churn, alpha), s => Console.Error.WriteLine(s));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {churn:P0} | {r.LookupSuccess:P1} | {r.MeanHops:F2} | {r.P99Hops} | {r.MaxHops} | {r.Log2Nodes:F1} | {r.MeanQueries:F1} | {r.MeanTableSize:F0} ({r.MinTableSize}-{r.MaxTableSize}) | {r.FindMeDelivery:P1} | {r.MeanFindMePackets:F0} | {r.JoinTime.TotalSeconds:F0} | {r.RunTime.TotalSeconds:F0} |"));
        }
    }
}
