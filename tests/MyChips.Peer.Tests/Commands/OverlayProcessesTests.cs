namespace MyChips.Peer.Tests.Commands;

/// <summary>
/// The overlay across separate processes of the real executable on loopback addresses: an entry node that relays,
/// and two nodes that accept no connections, whose message goes through the relay end to end encrypted.
/// </summary>
public sealed class OverlayProcessesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("overlay-processes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Two_unreachable_processes_exchange_a_message_through_a_relaying_process()
    {
        foreach (var name in new[] { "relay", "alice", "bob" })
            Assert.Equal(0, (await CliHarness.RunExecutableAsync(_root, "overlay", "init", "--dir", name)).ExitCode);
        var invite = (await CliHarness.RunExecutableAsync(_root, "overlay", "card", "--dir", "bob", "--for", "alice")).StandardOutput.Trim();
        var answer = (await CliHarness.RunExecutableAsync(_root, "overlay", "add", "--dir", "alice", "--name", "bob", "--card", invite)).StandardOutput.Trim();
        Assert.Equal(0, (await CliHarness.RunExecutableAsync(_root, "overlay", "add", "--dir", "bob", "--name", "alice", "--card", answer)).ExitCode);

        using var relay = PeerProcess.Start(_root, "overlay", "run", "--dir", "relay", "--listen", "127.0.0.2:0", "--relay");
        var listening = await relay.Error.WaitForLineAsync("listening on", CliHarness.Deadline);
        var entry = listening[(listening.IndexOf("listening on ", StringComparison.Ordinal) + 13)..].Trim();
        using var bob = PeerProcess.Start(_root, "overlay", "run", "--dir", "bob", "--listen", "none", "--entry", entry);
        await bob.Error.WaitForLineAsync($"reachable through relay:{entry}", CliHarness.Deadline);

        var sent = await CliHarness.RunExecutableAsync(_root, "overlay", "send", "--dir", "alice", "--listen", "none", "--entry", entry, "--to", "bob", "--text", "through the relay");

        Assert.True(sent.ExitCode == 0, sent.StandardError);
        Assert.Equal("sent to bob", sent.StandardOutput.Trim());
        Assert.Equal("message from alice: through the relay", await bob.Output.WaitForLineAsync("message from", CliHarness.Deadline));
    }
}
