using BenchmarkDotNet.Running;
using MyChips.Protocol.Benchmarks.Noise;

// Runs the benchmarks named on the command line, e.g. `--filter '*Noise*'`; see README "Benchmarks".
// `noise-cpu-ratio` instead compares handshake CPU time with its X25519 work (docs/benchmarks.md).
if (args is ["noise-cpu-ratio"])
{
    NoiseCpuRatio.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
