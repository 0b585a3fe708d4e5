using MyChips.Peer.Commands;

namespace MyChips.Peer.Tests.Commands;

/// <summary><c>mychips-peer ciyam</c>: a listener in one invocation, put and get against it from others.</summary>
public sealed class CiyamCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ciyam-cli-" + Guid.NewGuid().ToString("N"));

    public CiyamCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_file_put_to_a_listener_is_got_back_by_its_hash()
    {
        using var stop = new CancellationTokenSource();
        var listenerOutput = new LineWriter();
        var listening = CommandLineRunner.InvokeAsync(PeerCommands.CreateRoot(),
            ["ciyam", "listen", "--port", "0", "--files", Path.Combine(_folder, "listener")], listenerOutput, new StringWriter(), stop.Token);
        var ready = await listenerOutput.WaitForLineAsync("listening on port", CliHarness.Deadline);
        var port = ready.Split(' ')[4].TrimEnd(',');
        var source = Path.Combine(_folder, "note.txt");
        await File.WriteAllTextAsync(source, new string('n', 5_000));

        var put = await CliHarness.InvokeAsync("ciyam", "put", "127.0.0.1:" + port, source, "--files", Path.Combine(_folder, "a"));
        var hash = put.Output.Trim();
        var copy = Path.Combine(_folder, "copy.txt");
        var get = await CliHarness.InvokeAsync("ciyam", "get", "127.0.0.1:" + port, hash, "--out", copy, "--files", Path.Combine(_folder, "b"));
        var connect = await CliHarness.InvokeAsync("ciyam", "connect", "127.0.0.1:" + port, "--files", Path.Combine(_folder, "c"));
        await stop.CancelAsync();

        Assert.Equal(0, put.Exit);
        Assert.True(Protocol.Ciyam.Files.StoredFile.IsHash(hash), put.Error);
        Assert.Equal(0, get.Exit);
        Assert.Equal(await File.ReadAllTextAsync(source), await File.ReadAllTextAsync(copy));
        Assert.Equal(0, connect.Exit);
        Assert.Contains("greeted", connect.Output, StringComparison.Ordinal);
        Assert.Equal(0, await listening.WaitAsync(CliHarness.Deadline));
    }

    [Fact]
    public async Task Help_lists_the_subcommands()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("ciyam", "--help");

        Assert.Equal(0, exit);
        foreach (var name in new[] { "listen", "connect", "put", "get" }) Assert.Contains(name, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_and_an_absent_listener_get_clear_errors()
    {
        var badPeer = await CliHarness.InvokeAsync("ciyam", "connect", "nowhere");
        var badHash = await CliHarness.InvokeAsync("ciyam", "get", "127.0.0.1:1", "abc");
        var noFile = await CliHarness.InvokeAsync("ciyam", "put", "127.0.0.1:1", Path.Combine(_folder, "missing"));
        var nobody = await CliHarness.InvokeAsync("ciyam", "connect", "127.0.0.1:1", "--files", Path.Combine(_folder, "d"));

        Assert.Equal((2, "ciyam connect: 'nowhere' is not HOST:PORT"), (badPeer.Exit, badPeer.Error.Trim()));
        Assert.Equal(2, badHash.Exit);
        Assert.Contains("is not a file hash", badHash.Error, StringComparison.Ordinal);
        Assert.Equal(2, noFile.Exit);
        Assert.Contains("no such file", noFile.Error, StringComparison.Ordinal);
        Assert.Equal(1, nobody.Exit);
        Assert.Contains("cannot connect to 127.0.0.1:1", nobody.Error, StringComparison.Ordinal);
    }
}
