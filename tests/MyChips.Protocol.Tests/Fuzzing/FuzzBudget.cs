using System.Runtime.CompilerServices;
using CsCheck;

namespace MyChips.Protocol.Tests.Fuzzing;

/// <summary>
/// How long each fuzz target runs. In the test suite: a bounded iteration count (a second or two per target).
/// <c>MYCHIPS_FUZZ_SECONDS=N</c> runs every target for N seconds instead; <c>MYCHIPS_FUZZ_SEED</c> replays
/// the seed CsCheck printed for a failure.
/// </summary>
internal static class FuzzBudget
{
    public const string Category = "Fuzz";

    private static readonly int Seconds =
        int.TryParse(Environment.GetEnvironmentVariable("MYCHIPS_FUZZ_SECONDS"), out var seconds) && seconds > 0 ? seconds : -1;

    private static readonly string? Seed = Environment.GetEnvironmentVariable("MYCHIPS_FUZZ_SEED") is { Length: > 0 } seed ? seed : null;

    // Two threads at most: the suite shares a small machine.
    private static readonly int Threads = Math.Min(2, Environment.ProcessorCount);

    // MYCHIPS_FUZZ_LOG=path appends CsCheck's summary line (iterations run) for each target, for the long-run report.
    private static readonly string? Log = Environment.GetEnvironmentVariable("MYCHIPS_FUZZ_LOG") is { Length: > 0 } log ? log : null;

    public static void Run<T>(Gen<T> gen, Action<T> assert, long iterations, [CallerMemberName] string target = "") =>
        gen.Sample(assert, WriteLine(target), Seed, Seconds > 0 ? -1 : iterations, Seconds, Threads);

    public static Task RunAsync<T>(Gen<T> gen, Func<T, Task> assert, long iterations, [CallerMemberName] string target = "") =>
        gen.SampleAsync(assert, WriteLine(target), Seed, Seconds > 0 ? -1 : iterations, Seconds, 1);

    private static Action<string>? WriteLine(string target) => Log is null ? null : line =>
    {
        lock (Log) File.AppendAllText(Log, $"{target}: {line}{Environment.NewLine}");
    };
}
