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
        using var peer = PeerProcess.Start(_folder, "run", "--key", siteKey, "--echo", "--mode", mode, "--ticket", "e2e-token");
        var (run, stdout, stderr) = (peer.Process, peer.Output, peer.Error);
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
}
