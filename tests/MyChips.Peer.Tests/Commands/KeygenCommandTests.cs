using MyChips.Protocol.Keys;

namespace MyChips.Peer.Tests.Commands;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("keygen-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Keygen_writes_a_key_file_with_host_and_port_and_prints_its_agent_id()
    {
        var path = Path.Combine(_folder, "site.agk");
        var (exit, output, error) = await CliHarness.InvokeAsync("keygen", "--host", "peer.example", "--port", "65431", "--out", path);

        Assert.Equal(0, exit);
        using var key = AgentKeyFile.Load(path);
        Assert.Equal(key.Agent.ToString(), output.Trim());
        Assert.Equal("peer.example", key.Host);
        Assert.Equal(65431, key.Port);
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_refuses_to_overwrite_a_file_without_force()
    {
        var path = Path.Combine(_folder, "site.agk");
        Assert.Equal(0, (await CliHarness.InvokeAsync("keygen", "--out", path)).Exit);
        var before = File.ReadAllText(path);

        var (exit, output, error) = await CliHarness.InvokeAsync("keygen", "--out", path);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));

        var forced = await CliHarness.InvokeAsync("keygen", "--out", path, "--force");
        Assert.Equal(0, forced.Exit);
        Assert.NotEqual(before, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--port", "many")]
    [InlineData("--colour", "blue")]
    public async Task Keygen_exits_2_for_bad_arguments(string option, string value)
    {
        var (exit, output, error) = await CliHarness.InvokeAsync("keygen", option, value, "--out", Path.Combine(_folder, "x.agk"));
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("--help", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.agk")));
    }
}
