using System.Diagnostics;

namespace MyChips.Peer.Tests.Commands;

/// <summary>
/// The mychips-peer executable running in a child process, its stdout and stderr collected line by line so a
/// test can await a line; disposing kills it if it is still running.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private PeerProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }
    public LineWriter Output { get; } = new();
    public LineWriter Error { get; } = new();

    public static PeerProcess Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(CliHarness.DotNet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(CliHarness.PeerDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new PeerProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start mychips-peer {string.Join(' ', args)}."));
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
