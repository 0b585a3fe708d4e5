using MyChips.Protocol.Keys;
using MyChips.Protocol.Testing;

namespace MyChips.Peer.Tests.Commands;

/// <summary>The real mychips-peer executable: help, exit codes and the stdout/stderr split of every command.</summary>
public sealed class ExecutableTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exe-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("demo")]
    [InlineData("keygen")]
    [InlineData("ticket")]
    [InlineData("run")]
    [InlineData("send")]
    [InlineData("spec")]
    [InlineData("noise-vectors")]
    public async Task Every_command_has_help_on_stdout_and_exits_0(string command)
    {
        var result = await CliHarness.RunExecutableAsync(_folder, command, "--help");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains($"mychips-peer {command}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("", result.StandardError);
    }

    [Theory]
    [InlineData()]
    [InlineData("frobnicate")]
    [InlineData("demo", "--mode", "loud")]
    [InlineData("keygen", "--port", "x")]
    [InlineData("ticket")]
    [InlineData("run", "--key", "missing.agk")]
    [InlineData("send", "nobody@nowhere", "{}")]
    [InlineData("spec", "nothing")]
    [InlineData("noise-vectors", "missing.json")]
    public async Task Bad_arguments_exit_2_with_the_problem_on_stderr(params string[] args)
    {
        var result = await CliHarness.RunExecutableAsync(_folder, args);
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Equal("", result.StandardOutput);
        Assert.NotEqual("", result.StandardError.Trim());
    }

    [Fact]
    public async Task Keygen_then_ticket_run_as_processes()
    {
        var keygen = await CliHarness.RunExecutableAsync(_folder, "keygen", "--out", "site.agk", "--port", "65000");
        Assert.True(keygen.ExitCode == 0, keygen.Describe());
        using var key = AgentKeyFile.Load(Path.Combine(_folder, "site.agk"));
        Assert.Equal(key.Agent.ToString(), keygen.StandardOutput.Trim());

        var ticket = await CliHarness.RunExecutableAsync(_folder, "ticket", "--key", "site.agk");
        Assert.True(ticket.ExitCode == 0, ticket.Describe());
        Assert.Equal(65000, ConnectionTicket.ParseJson(ticket.StandardOutput.Trim()).Chad.Port);
    }

    [Fact]
    public async Task Spec_and_demo_run_as_processes()
    {
        var spec = await CliHarness.RunExecutableAsync(_folder, "spec", "--format", "dot");
        Assert.True(spec.ExitCode == 0, spec.Describe());
        Assert.Contains("digraph Responder", spec.StandardOutput, StringComparison.Ordinal);

        var demo = await CliHarness.RunExecutableAsync(_folder, "demo", "--mode", "raw");
        Assert.True(demo.ExitCode == 0, demo.Describe());
        Assert.Contains("demo: ok", demo.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Noise_vectors_runs_as_a_process()
    {
        var file = Path.Combine(RepositoryPaths.Shared, "vectors", "noise", "snow-multipsk.txt");
        var result = await CliHarness.RunExecutableAsync(_folder, "noise-vectors", file);
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("104 passed, 0 failed, 0 skipped", result.StandardOutput.Trim());
    }
}
