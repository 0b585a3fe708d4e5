using MyChips.Peer.Commands;

namespace MyChips.Peer.Tests.Commands;

/// <summary><c>mychips-peer overlay</c>: identities and cards in folders, a node that runs, a message sent to it.</summary>
public sealed class OverlayCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("overlay-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(string name) => Path.Combine(_root, name);

    [Fact]
    public async Task Init_prints_the_node_id_and_refuses_to_overwrite_without_force()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("overlay", "init", "--dir", Dir("alice"));
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Matches("^[0-9a-f]{64}$", output.Trim());

        var again = await CliHarness.InvokeAsync("overlay", "init", "--dir", Dir("alice"));
        Assert.Equal(ExitCodes.BadInput, again.Exit);
        Assert.Contains("holds an identity already; use --force", again.Error);
    }

    [Fact]
    public async Task Cards_are_exchanged_through_card_and_add_and_bad_input_gets_a_clear_error()
    {
        await Init("alice");
        await Init("bob");

        var invite = (await CliHarness.InvokeAsync("overlay", "card", "--dir", Dir("alice"), "--for", "bob")).Output.Trim();
        var (exit, answer, _) = await CliHarness.InvokeAsync("overlay", "add", "--dir", Dir("bob"), "--name", "alice", "--card", invite);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(ExitCodes.Ok, (await CliHarness.InvokeAsync("overlay", "add", "--dir", Dir("alice"), "--name", "bob", "--card", answer.Trim())).Exit);

        Assert.StartsWith("overlay-card:", invite);
        Assert.Contains("contact bob ", await File.ReadAllTextAsync(Path.Combine(Dir("alice"), "contacts.txt")));
        Assert.DoesNotContain("invite bob", await File.ReadAllTextAsync(Path.Combine(Dir("alice"), "contacts.txt")));
        var bad = await CliHarness.InvokeAsync("overlay", "add", "--dir", Dir("bob"), "--name", "carol", "--card", "not-a-card");
        Assert.Equal((ExitCodes.BadInput, "overlay add: --card is not a contact card (overlay-card:KEY.TOKEN)"), (bad.Exit, bad.Error.Trim()));
        var missing = await CliHarness.InvokeAsync("overlay", "send", "--dir", Dir("nobody"), "--to", "bob", "--text", "hi");
        Assert.Equal(ExitCodes.BadInput, missing.Exit);
        Assert.Contains("no overlay identity in", missing.Error);
    }

    [Fact]
    public async Task A_running_node_prints_the_message_a_contact_sends_and_the_table_lists_it()
    {
        await Init("alice");
        await Init("bob");
        var invite = (await CliHarness.InvokeAsync("overlay", "card", "--dir", Dir("bob"), "--for", "alice")).Output.Trim();
        var answer = (await CliHarness.InvokeAsync("overlay", "add", "--dir", Dir("alice"), "--name", "bob", "--card", invite)).Output.Trim();
        await CliHarness.InvokeAsync("overlay", "add", "--dir", Dir("bob"), "--name", "alice", "--card", answer);
        var (output, error) = (new LineWriter(), new LineWriter());
        using var stop = new CancellationTokenSource();
        var bob = CommandLineRunner.InvokeAsync(PeerCommands.CreateRoot(), ["overlay", "run", "--dir", Dir("bob"), "--listen", "127.0.0.3:0"], output, error, stop.Token);
        var listening = await error.WaitForLineAsync("listening on", CliHarness.Deadline);
        var address = listening[(listening.IndexOf("listening on ", StringComparison.Ordinal) + 13)..].Trim();

        var sent = await CliHarness.InvokeAsync("overlay", "send", "--dir", Dir("alice"), "--listen", "127.0.0.4:0", "--entry", address, "--to", "bob", "--text", "hello over the overlay");
        var table = await CliHarness.InvokeAsync("overlay", "table", "--dir", Dir("alice"), "--listen", "127.0.0.4:0", "--entry", address);

        Assert.Equal((ExitCodes.Ok, "sent to bob"), (sent.Exit, sent.Output.Trim()));
        Assert.Equal("message from alice: hello over the overlay", await output.WaitForLineAsync("message from", CliHarness.Deadline));
        Assert.Equal(ExitCodes.Ok, table.Exit);
        Assert.Contains(address, table.Output);
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await bob.WaitAsync(CliHarness.Deadline));
    }

    [Fact]
    public async Task Help_lists_the_subcommands_and_an_unknown_contact_is_named()
    {
        var help = await CliHarness.InvokeAsync("overlay", "--help");
        foreach (var sub in new[] { "init", "card", "add", "run", "send", "table" }) Assert.Contains(sub, help.Output);

        await Init("alice");
        var unknown = await CliHarness.InvokeAsync("overlay", "send", "--dir", Dir("alice"), "--to", "zed", "--text", "hi");
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);
        Assert.Contains("no contact named 'zed'", unknown.Error);
    }

    private async Task Init(string name) => Assert.Equal(ExitCodes.Ok, (await CliHarness.InvokeAsync("overlay", "init", "--dir", Dir(name))).Exit);
}
