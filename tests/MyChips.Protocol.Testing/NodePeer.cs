namespace MyChips.Protocol.Testing;

/// <summary>
/// The Node.js side of the interoperability tests: installs the committed package.json and
/// package-lock.json in tests/interop-node with <c>npm ci</c>, once per test run, and runs scripts there.
/// </summary>
public static class NodePeer
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "interop-node");

    public static string NodeExecutable =>
        ProcessRunner.FindOnPath("node") ?? throw new InvalidOperationException(
            "The 'node' executable was not found on PATH: install Node.js to run the interoperability tests.");

    /// <summary>Runs <c>npm ci</c> the first time it is called in this process; later calls return at once.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (_installed) return;
            var npm = ProcessRunner.FindOnPath("npm") ?? throw new InvalidOperationException(
                "The 'npm' executable was not found on PATH: install Node.js (with npm) to run the interoperability tests.");
            // A lock file keeps two test processes from installing into the same folder at once.
            using (await FolderLock.AcquireAsync(Path.Combine(Directory, ".npm-ci.lock"), TimeSpan.FromMinutes(5)))
            {
                await ProcessRunner.RunCheckedAsync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
                    TimeSpan.FromMinutes(5), Directory);
            }
            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs <c>node</c> with the given arguments in the interop folder, after installing.</summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string? standardInput = null)
    {
        await EnsureInstalledAsync();
        return await ProcessRunner.RunAsync(NodeExecutable, arguments, timeout, Directory, standardInput);
    }
}
