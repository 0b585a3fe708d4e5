using BenchmarkDotNet.Running;
using System.Globalization;
using MyChips.Protocol.Benchmarks;
using MyChips.Protocol.Benchmarks.Engine;
using MyChips.Protocol.Benchmarks.Noise;
using MyChips.Protocol.Benchmarks.Peers;
using MyChips.Protocol.Peers;

// Runs the benchmarks named on the command line, e.g. `--filter '*Noise*'`; see README "Benchmarks".
// `noise-cpu-ratio` instead compares handshake CPU time with its X25519 work (docs/benchmarks.md).
if (args is ["noise-cpu-ratio"])
{
    NoiseCpuRatio.Run();
    return;
}
// `peer-load [setups] [messages] [--no-js]`: the loopback load tool (docs/benchmarks.md, "Peer runtime").
if (args is ["peer-load", ..])
{
    var numbers = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await PeerLoad.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var s ? s : 300, numbers.ElementAtOrDefault(1) is > 0 and var m ? m : 100_000, !args.Contains("--no-js"));
    return;
}
// `aead-compare`: ChaCha20-Poly1305 of one 250-byte message through libsodium and through OpenSSL (System.Security.Cryptography).
if (args is ["aead-compare"])
{
    AeadCompare.Run();
    return;
}
// `peer-throughput [messages] [repeats] [Strict|Raw]`: the T-message case alone, modes interleaved, CPU and allocations per message.
if (args is ["peer-throughput", ..])
{
    var numbers = args.Skip(1).Where(a => char.IsDigit(a[0])).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    var only = args.Skip(1).Where(a => !char.IsDigit(a[0])).Select(Enum.Parse<PeerMode>).Cast<PeerMode?>().FirstOrDefault();
    await PeerThroughput.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var m ? m : 100_000, numbers.ElementAtOrDefault(1) is > 0 and var r ? r : 5, only);
    return;
}
// `engine-throughput [messages] [repeats]`: the connection engine alone (Noise NN stream), beside the MyCHIPs peer connection.
if (args is ["engine-throughput", ..])
{
    var numbers = args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await EngineThroughput.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var m ? m : 100_000, numbers.ElementAtOrDefault(1) is > 0 and var r ? r : 3);
    return;
}
// `peer-memory [Strict|Raw] [count...]`: memory per idle open connection.
if (args is ["peer-memory", ..])
{
    var mode = args.Length > 1 ? Enum.Parse<PeerMode>(args[1]) : PeerMode.Strict;
    var counts = args.Length > 2 ? args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1_000, 10_000];
    await IdleConnectionMemory.RunAsync(mode, counts);
    return;
}
// `peer-churn [setups] [initiators] [Strict|Raw]`: connection churn against one responder, memory at every tenth.
if (args is ["peer-churn", ..])
{
    var numbers = args.Skip(1).Where(a => char.IsDigit(a[0])).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    var churnMode = args.Skip(1).Where(a => !char.IsDigit(a[0])).Select(Enum.Parse<PeerMode>).DefaultIfEmpty(PeerMode.Strict).First();
    await PeerChurn.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var n ? n : 100_000, numbers.ElementAtOrDefault(1) is > 0 and var c ? c : 4, churnMode);
    return;
}
// `overlay-sim [nodes] [lookups] [find-mes] [--alpha N]`: the overlay in memory at 0/10/30% churn (docs/benchmarks.md, "Overlay").
if (args is ["overlay-sim", ..])
{
    var alphaAt = Array.IndexOf(args, "--alpha");
    var alpha = alphaAt > 0 ? int.Parse(args[alphaAt + 1], CultureInfo.InvariantCulture) : 3;
    var numbers = args.Skip(1).Where((a, i) => char.IsDigit(a[0]) && (alphaAt < 0 || i + 1 != alphaAt + 1)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await MyChips.Protocol.Benchmarks.Overlay.OverlaySimulationCommand.RunAsync(
        numbers.ElementAtOrDefault(0) is > 0 and var n ? n : 10_000, numbers.ElementAtOrDefault(1) is > 0 and var l ? l : 10_000, numbers.ElementAtOrDefault(2) is > 0 and var f ? f : 1_000, alpha);
    return;
}
if (args is ["peer-memory-clients", var port, var agent, var clientMode, var count])
{
    await IdleConnectionMemory.RunClientsAsync(int.Parse(port, CultureInfo.InvariantCulture), agent, Enum.Parse<PeerMode>(clientMode), int.Parse(count, CultureInfo.InvariantCulture));
    return;
}
// `nat-bench [repeats] [timed datagrams] [--rendezvous]`: hole punching and calls through NAT routers in network
// namespaces (root only), signalled and relayed by an overlay node, or by the rendezvous server.
if (args is ["nat-bench", ..])
{
    var numbers = args.Skip(1).Where(a => a != "--rendezvous").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    var signalling = args.Contains("--rendezvous") ? MyChips.Protocol.Traversal.Node.BenchSignalling.Rendezvous : MyChips.Protocol.Traversal.Node.BenchSignalling.Overlay;
    Environment.ExitCode = await MyChips.Protocol.Benchmarks.Traversal.NatBenchReport.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var r ? r : 3, numbers.ElementAtOrDefault(1) is > 0 and var t ? t : 2000, signalling);
    return;
}
// `ciyam-exchange [files] [bytes]`: a CIYAM listener and initiator trading files on loopback (docs/benchmarks.md, "CIYAM peer").
if (args is ["ciyam-exchange", ..])
{
    var numbers = args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
    await MyChips.Protocol.Benchmarks.Ciyam.CiyamExchange.RunAsync(numbers.ElementAtOrDefault(0) is > 1 and var f ? f : 200, numbers.ElementAtOrDefault(1) is > 0 and var b ? b : 100_000);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
