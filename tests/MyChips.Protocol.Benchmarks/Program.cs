using BenchmarkDotNet.Running;

// Runs the benchmarks named on the command line, e.g. `--filter '*Noise*'`; see README "Benchmarks".
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
