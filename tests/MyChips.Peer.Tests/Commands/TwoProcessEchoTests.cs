using System.Diagnostics;
using System.Text.Json;
using MyChips.Protocol.Testing;

namespace MyChips.Peer.Tests.Commands;

/// <summary>
/// End to end across two processes: <c>run --echo</c> as one, <c>send --expect-replies</c> as another, on loopback;
/// then SIGTERM stops the first cleanly.
/// </summary>
public sealed class TwoProcessEchoTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("strict")]
    [InlineData("raw")]
    public async Task Run_echo_answers_send_expect_replies_and_stops_on_sigterm(string mode)
    {
        var (siteKey, siteAgent) = CliHarness.WriteKey(_folder, "site");
        var (clientKey, clientAgent) = CliHarness.WriteKey(_folder, "client");
        using var run = StartRun("run", "--key", siteKey, "--echo", "--mode", mode, "--ticket", "e2e-token");
        var stdout = new LineWriter();
        var stderr = new LineWriter();
        run.OutputDataReceived += (_, e) => { if (e.Data is not null) stdout.WriteLine(e.Data); };
        run.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.WriteLine(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            var listening = JsonDocument.Parse(await stdout.WaitForLineAsync("\"listening\"", CliHarness.Deadline)).RootElement;
            var address = listening.GetProperty("listening").GetString()!;
            Assert.StartsWith(siteAgent.ToString(), address, StringComparison.Ordinal);

            var send = await CliHarness.RunExecutableAsync(_folder, "send", address, """{"target":"chit","units":7}""",
                "--key", clientKey, "--mode", mode, "--ticket", "e2e-token", "--count", "3", "--expect-replies", "3", "--timeout", "30s");

            Assert.True(send.ExitCode == 0, send.Describe() + "\nrun stderr:\n" + stderr);
            var lines = CliHarness.JsonLinesOf(send.StandardOutput);
            Assert.Equal(3, lines.Count(l => l.TryGetProperty("delivered", out _)));
            var echoes = lines.Where(l => l.TryGetProperty("from", out _)).Select(l => l.GetProperty("message").GetProperty("echo")).ToList();
            Assert.Equal([1, 2, 3], echoes.Select(e => e.GetProperty("seq").GetInt32()).Order());
            Assert.All(echoes, e => Assert.Equal(7, e.GetProperty("units").GetInt32()));
            var received = JsonDocument.Parse(await stdout.WaitForLineAsync("\"seq\":3", CliHarness.Deadline)).RootElement;
            Assert.Equal(clientAgent.ToString(), received.GetProperty("from").GetString());

            await ProcessRunner.RunCheckedAsync("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], CliHarness.Deadline);
            using var exited = new CancellationTokenSource(CliHarness.Deadline);
            await run.WaitForExitAsync(exited.Token);
            Assert.True(run.ExitCode == 0, $"run exit {run.ExitCode}\n{stderr}");
            Assert.Contains("shutting down", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    private Process StartRun(params string[] args)
    {
        var start = new ProcessStartInfo(CliHarness.DotNet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        start.ArgumentList.Add(CliHarness.PeerDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start mychips-peer run.");
    }
}
