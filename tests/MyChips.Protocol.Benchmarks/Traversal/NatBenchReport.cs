using System.Globalization;
using MyChips.Protocol.Traversal.Node;

namespace MyChips.Protocol.Benchmarks.Traversal;

/// <summary>
/// `nat-bench [repeats] [timed datagrams] [--rendezvous]`: the NAT matrix in network namespaces, signalled and
/// relayed by the public overlay node (or the rendezvous server), each pair run <c>repeats</c> times;
/// prints per pair the punch successes, the method, the median time to connect, and the call's datagram rate and
/// one-way latency (docs/benchmarks.md, "NAT traversal").
/// </summary>
public static class NatBenchReport
{
    public static async Task<int> RunAsync(int repeats, int timedDatagrams, BenchSignalling signalling)
    {
        if (await NetworkNamespaces.WhyNotAsync() is { } whyNot)
        {
            Console.WriteLine($"nat-bench skipped: {whyNot}");
            return 0;
        }
        await using var network = await NetworkNamespaces.CreateAsync();
        var bench = new NatBench(network, toneFrames: 200, timedDatagrams: timedDatagrams, signalling);
        var pairs = Enumerable.Range(0, repeats).SelectMany(_ => NatBench.Pairs()).ToList();
        var results = await bench.RunAsync(pairs, r => Console.Error.WriteLine(r));
        Console.WriteLine($"{Environment.ProcessorCount} cores, signalling and relay by the {signalling.ToString().ToLowerInvariant()}, {repeats} runs per pair, a 200-frame tone then {timedDatagrams} timed datagrams per call");
        Console.WriteLine();
        Console.WriteLine("| A | B | direct | method | connect median (ms) | UDP path | relay carried the call | tone intact | datagrams/s | latency p50 / p99 (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.A, r.B)))
        {
            var runs = group.ToList();
            var direct = runs.Count(r => r.Caller.Direct);
            var relayed = runs.Count(r => !r.Caller.Direct && r.Call.ToneIntact && r.Call.ToneAccepted > 0);
            var methods = string.Join(", ", runs.Select(r => r.Caller.Method).Distinct());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.A} | {group.Key.B} | {direct}/{runs.Count} | {methods} | {Median(runs.Select(r => r.Caller.ConnectMs)):0} | {runs.Count(r => r.Call.Udp)}/{runs.Count} | {(relayed > 0 ? $"{relayed}/{runs.Count}" : "-")} | {runs.Count(r => r.Call.ToneIntact)}/{runs.Count} | {Median(runs.Select(r => r.Call.DatagramsPerSecond)):0} | {Median(runs.Select(r => r.Call.MedianLatencyMs)):0.000} / {Median(runs.Select(r => r.Call.P99LatencyMs)):0.000} |"));
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
