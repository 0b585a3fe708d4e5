using MyChips.Protocol.Traversal.Node;
using Xunit.Abstractions;

namespace MyChips.Protocol.Traversal.Tests.Bench;

/// <summary>
/// Hole punching and calls through real Linux NAT: routers in network namespaces with nftables rules for each NAT
/// kind, an overlay node on the public network that observes addresses, carries the punch signals and relays, and
/// the peers as separate traversal-node processes. Needs root and network namespaces; elsewhere it is reported as
/// skipped, with the reason.
/// </summary>
public sealed class NatMatrixTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Every_pair_of_NAT_kinds_connects_directly_where_the_NATs_allow_and_through_the_relay_elsewhere()
    {
        var whyNot = await NetworkNamespaces.WhyNotAsync();
        Skip.If(whyNot is not null, $"NAT bench skipped: {whyNot}");
        await using var network = await NetworkNamespaces.CreateAsync();
        var bench = new NatBench(network, toneFrames: 200, timedDatagrams: 200);

        var results = await bench.RunAsync(NatBench.Pairs(), r => output.WriteLine(r.ToString()));

        Assert.Equal(15, results.Count);
        AssertConnectedAndHeard(bench, results);
        // A direct pair also opened the UDP hole, and the call's media took it.
        Assert.All(results.Where(r => r.Caller.Direct), r => Assert.True(r.Call.Udp, r.ToString()));
    }

    [SkippableFact]
    public async Task The_rendezvous_server_still_carries_a_direct_and_a_relayed_pair()
    {
        var whyNot = await NetworkNamespaces.WhyNotAsync();
        Skip.If(whyNot is not null, $"NAT bench skipped: {whyNot}");
        await using var network = await NetworkNamespaces.CreateAsync();
        var bench = new NatBench(network, toneFrames: 200, timedDatagrams: 200, BenchSignalling.Rendezvous);

        var results = await bench.RunAsync([(NatKind.FullCone, NatKind.PortRestricted), (NatKind.Symmetric, NatKind.Symmetric)], r => output.WriteLine(r.ToString()));

        Assert.Equal([true, false], results.Select(r => r.Caller.Direct));
        AssertConnectedAndHeard(bench, results);
    }

    private static void AssertConnectedAndHeard(NatBench bench, IReadOnlyList<PairResult> results)
    {
        foreach (var result in results)
        {
            var why = result.ToString();
            Assert.True(result.Caller.Direct == ExpectDirect(result.A, result.B), why);
            Assert.Equal(result.Caller.Method == "Relay", result.Callee.Method == "Relay");
            Assert.True(result.Call.ToneIntact, why);
            Assert.Equal(bench.ToneFrames - Impairment.DroppedCount(bench.ToneFrames), result.Call.ToneAccepted);
            Assert.Equal(Impairment.ReplayCount(bench.ToneFrames), result.Call.Replayed);
            Assert.True(result.Call.Reordered > 0, why);
            Assert.Equal(200, result.Call.TimedAccepted);
            Assert.Equal(0, result.Call.Forged);
        }
    }

    // Punching works unless both sides' NATs pick a new port per destination, or one does and the other filters by
    // address and port (its hole is open to the port it was told about, not to the one the packets come from).
    internal static bool ExpectDirect(NatKind a, NatKind b)
    {
        static bool Rebinds(NatKind k) => k is NatKind.Symmetric or NatKind.RandomPort;
        static bool Filters(NatKind k) => k is not (NatKind.Public or NatKind.FullCone);
        return !(Rebinds(a) && Filters(b)) && !(Rebinds(b) && Filters(a));
    }
}
