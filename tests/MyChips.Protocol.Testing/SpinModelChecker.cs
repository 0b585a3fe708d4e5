using System.Text.RegularExpressions;

namespace MyChips.Protocol.Testing;

/// <summary>What SPIN found: the errors count, its report, and for a violation the trail replayed as readable steps.</summary>
public sealed record SpinResult(int Errors, long States, string Report, string Trail)
{
    public bool Holds => Errors == 0;
}

/// <summary>
/// Runs the SPIN model checker on a Promela model: <c>spin -a</c> writes the verifier, gcc builds it for safety
/// properties (assertions and invalid end states), <c>pan</c> searches every state, and on a violation
/// <c>spin -t -p</c> replays the counterexample. SPIN is a Debian package; when it is missing it is installed once
/// per machine (root is needed, as on CI), under a lock so parallel test runs do not race.
/// </summary>
public static partial class SpinModelChecker
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static bool s_ready;

    public static async Task<SpinResult> CheckAsync(string promela, params string[] defines)
    {
        await EnsureInstalledAsync();
        var folder = Directory.CreateTempSubdirectory("mychips-spin-");
        try
        {
            var model = Path.Combine(folder.FullName, "model.pml");
            await File.WriteAllTextAsync(model, promela);
            var flags = defines.Select(d => "-D" + d).ToArray();
            Require(await ProcessRunner.RunAsync("spin", [.. flags, "-a", "model.pml"], Step, folder.FullName), "spin -a");
            // Safety properties only; states stored compressed, and the search capped at 1 GiB so a model that grows
            // cannot exhaust the machine (pan then stops with an error instead).
            Require(await ProcessRunner.RunAsync("gcc", ["-O1", "-DSAFETY", "-DCOLLAPSE", "-DMEMLIM=1024", "-o", "pan", "pan.c"], Step, folder.FullName), "gcc");
            var search = await ProcessRunner.RunAsync(Path.Combine(folder.FullName, "pan"), ["-m1000000", "-n"], Step, folder.FullName);
            var errors = Errors().Match(search.StandardOutput);
            if (!errors.Success)
                throw new InvalidOperationException("pan printed no error count:\n" + search.Describe());
            var states = StatesStored().Match(search.StandardOutput);
            var count = int.Parse(errors.Groups[1].Value);
            var trail = count == 0 ? "" : (await ProcessRunner.RunAsync("spin", [.. flags, "-t", "model.pml"], Step, folder.FullName)).StandardOutput;
            return new SpinResult(count, states.Success ? long.Parse(states.Groups[1].Value) : 0, search.StandardOutput, trail);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Require(ProcessResult result, string step)
    {
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{step} failed:\n{result.Describe()}");
    }

    private static async Task EnsureInstalledAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (s_ready) return;
            if (!OnPath("spin"))
            {
                using var _ = await FolderLock.AcquireAsync(Path.Combine(Path.GetTempPath(), "mychips-spin-install.lock"), TimeSpan.FromMinutes(10));
                if (!OnPath("spin"))
                {
                    var update = await ProcessRunner.RunAsync("apt-get", ["update", "-q"], TimeSpan.FromMinutes(5));
                    var install = await ProcessRunner.RunAsync("apt-get", ["install", "-y", "-q", "spin"], TimeSpan.FromMinutes(5),
                        environment: new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" });
                    if (!OnPath("spin"))
                        throw new InvalidOperationException("SPIN is not installed and 'apt-get install spin' did not install it (it needs root and Debian's package lists):\n" + update.Describe() + "\n" + install.Describe());
                }
            }
            if (!OnPath("gcc"))
                throw new InvalidOperationException("SPIN's verifiers are C programs: gcc is needed on the PATH.");
            s_ready = true;
        }
        finally
        {
            Installing.Release();
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, program)));

    [GeneratedRegex(@"errors: (\d+)")]
    private static partial Regex Errors();

    [GeneratedRegex(@"(\d+) states, stored")]
    private static partial Regex StatesStored();
}
