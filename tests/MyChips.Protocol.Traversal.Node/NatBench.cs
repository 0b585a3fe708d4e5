using System.Globalization;
using System.Diagnostics;
using System.Text.Json;
using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>
/// The NAT matrix: for every pair of router kinds, two peers behind them register at the rendezvous server (or join
/// the public overlay node), punch (or fall back to its relay), open the direct channel and run a call. Each pair
/// reports how it connected and what the call delivered.
/// </summary>
public sealed class NatBench(NetworkNamespaces network, int toneFrames = 200, int timedDatagrams = 1000, BenchSignalling signalling = BenchSignalling.Overlay)
{
    public static readonly NatKind[] Kinds = Enum.GetValues<NatKind>();

    /// <summary>Every unordered pair of kinds, each once.</summary>
    public static IEnumerable<(NatKind A, NatKind B)> Pairs() =>
        Kinds.SelectMany((a, i) => Kinds.Skip(i).Select(b => (a, b)));

    public int ToneFrames => toneFrames;

    /// <summary>Runs every pair against one rendezvous server.</summary>
    public async Task<IReadOnlyList<PairResult>> RunAsync(IEnumerable<(NatKind A, NatKind B)> pairs, Action<PairResult>? each = null)
    {
        var server = signalling == BenchSignalling.Overlay ? "overlay-relay" : "rendezvous";
        await using var rendezvous = NodeProcess.Start(network["rv"], server, $"{NetworkNamespaces.Rendezvous}:7000");
        await rendezvous.LineAsync("ready", TimeSpan.FromSeconds(30));
        var results = new List<PairResult>();
        var round = 0;
        foreach (var (a, b) in pairs)
        {
            var result = await RunPairAsync(a, b, ++round);
            results.Add(result);
            each?.Invoke(result);
        }
        return results;
    }

    private async Task<PairResult> RunPairAsync(NatKind a, NatKind b, int round)
    {
        var (nsA, bindA) = await PlaceAsync("a", a);
        var (nsB, bindB) = await PlaceAsync("b", b);
        var server = $"{NetworkNamespaces.Rendezvous}:7000";
        var (tone, timed) = (toneFrames.ToString(CultureInfo.InvariantCulture), timedDatagrams.ToString(CultureInfo.InvariantCulture));
        var (keyA, publicA) = KeyPair();
        var (keyB, publicB) = KeyPair();
        var started = Stopwatch.GetTimestamp();
        await using var callee = signalling == BenchSignalling.Overlay
            ? NodeProcess.Start(nsB, "overlay-peer", bindB, server, keyB, publicA, "--accept", tone, timed)
            : NodeProcess.Start(nsB, "peer", $"b{round}", server, bindB, "--accept", tone, timed);
        await callee.LineAsync(signalling == BenchSignalling.Overlay ? "joined" : "registered", TimeSpan.FromSeconds(30));
        await using var caller = signalling == BenchSignalling.Overlay
            ? NodeProcess.Start(nsA, "overlay-peer", bindA, server, keyA, publicB, "--connect", tone, timed)
            : NodeProcess.Start(nsA, "peer", $"a{round}", server, bindA, "--connect", $"b{round}", tone, timed);
        var calleeResult = Parse(await callee.LineAsync("result", TimeSpan.FromSeconds(90)));
        var callerResult = Parse(await caller.LineAsync("result", TimeSpan.FromSeconds(30)));
        return new PairResult(a, b, callerResult, calleeResult, Stopwatch.GetElapsedTime(started));
    }

    // A public peer runs on the public network; one behind NAT runs on its host after its router gets the kind's rules.
    private async Task<(string Namespace, string Bind)> PlaceAsync(string side, NatKind kind)
    {
        if (kind == NatKind.Public) return (network["p" + side], side == "a" ? "192.0.2.21" : "192.0.2.22");
        await network.ConfigureRouterAsync("n" + side, kind);
        return (network["h" + side], side == "a" ? "10.201.1.2" : "10.201.2.2");
    }

    private static (string PrivateKey, string PublicKey) KeyPair()
    {
        var identity = OverlayIdentity.Generate();
        return (Convert.ToHexString(identity.PrivateKey.Span), Convert.ToHexString(identity.PublicKey.Span));
    }

    private static PeerResult Parse(string json) => JsonSerializer.Deserialize<PeerResult>(json) ?? throw new InvalidOperationException("an empty result");
}

/// <summary>What carries the punch signals and the relay fallback: the public overlay node, or the rendezvous server.</summary>
public enum BenchSignalling
{
    Overlay,
    Rendezvous,
}

/// <summary>One pair of the matrix: both peers' results (the callee's holds the call), and the pair's wall time.</summary>
public sealed record PairResult(NatKind A, NatKind B, PeerResult Caller, PeerResult Callee, TimeSpan Wall)
{
    public CallReport Call => Callee.Call ?? throw new InvalidOperationException("the callee reported no call");

    public override string ToString() =>
        $"{A,-14} {B,-14} {(Caller.Direct ? "direct" : "relay"),-6} {Caller.Method,-19} attempts {Caller.Attempts} connect {Caller.ConnectMs,7:0} ms udp {(Call.Udp ? "yes" : "no "),-3} " +
        $"tone {Call.ToneAccepted} intact {Call.ToneIntact} replays refused {Call.Replayed} reordered {Call.Reordered} " +
        $"rate {Call.DatagramsPerSecond,8:0}/s latency p50 {Call.MedianLatencyMs:0.000} p99 {Call.P99LatencyMs:0.000} ms";
}
