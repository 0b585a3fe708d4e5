using MyChips.Peer.Commands;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Commands;

public sealed class SendCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("send-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(PeerMode.Strict)]
    [InlineData(PeerMode.MyChipsJs)]
    [InlineData(PeerMode.Raw)]
    public async Task Send_delivers_numbered_copies_in_each_mode_and_reports_each(PeerMode mode)
    {
        var (siteKey, _) = CliHarness.WriteKey(_folder, "site");
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        await using var site = await RunningPeer.StartAsync(new RunCommand.Settings { KeyFile = new FileInfo(siteKey), Mode = mode, Tickets = ["tok"] });
        var output = new StringWriter();

        var exit = await SendCommand.RunAsync(Settings(site.Address, clientKey) with { Mode = mode, Count = 3, Ticket = "tok" },
            TextReader.Null, output, new StringWriter());

        Assert.Equal(0, exit);
        var delivered = CliHarness.JsonLinesOf(output.ToString()).Select(l => l.GetProperty("delivered").GetInt32()).Order();
        Assert.Equal([1, 2, 3], delivered);
        await site.Output.WaitForLineAsync("\"seq\":3", CliHarness.Deadline);
    }

    [Fact]
    public async Task Send_reads_the_message_from_stdin_with_a_dash()
    {
        var (siteKey, _) = CliHarness.WriteKey(_folder, "site");
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        await using var site = await RunningPeer.StartAsync(new RunCommand.Settings { KeyFile = new FileInfo(siteKey), Tickets = ["tok"] });

        var exit = await SendCommand.RunAsync(Settings(site.Address, clientKey) with { Message = "-", Ticket = "tok" },
            new StringReader("""{"via":"stdin"}"""), new StringWriter(), new StringWriter());

        Assert.Equal(0, exit);
        await site.Output.WaitForLineAsync("\"stdin\"", CliHarness.Deadline);
    }

    [Fact]
    public async Task Send_to_a_closed_port_reports_the_failure_and_exits_1()
    {
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        using var other = AgentKey.Generate("127.0.0.1", 0);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await SendCommand.RunAsync(Settings($"{other.Agent}@127.0.0.1:{CliHarness.ClosedPort()}", clientKey), TextReader.Null, output, error);

        Assert.Equal(1, exit);
        var line = Assert.Single(CliHarness.JsonLinesOf(output.ToString()));
        Assert.Equal(1, line.GetProperty("failed").GetInt32());
        Assert.Equal(nameof(DeliveryFailure.ConnectFailed), line.GetProperty("reason").GetString());
        Assert.Contains("not delivered", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_exits_1_when_a_ticket_is_refused_and_when_replies_do_not_come()
    {
        var (siteKey, _) = CliHarness.WriteKey(_folder, "site");
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        await using var site = await RunningPeer.StartAsync(new RunCommand.Settings { KeyFile = new FileInfo(siteKey), Tickets = ["good"] });

        var refused = new StringWriter();
        Assert.Equal(1, await SendCommand.RunAsync(Settings(site.Address, clientKey) with { Ticket = "wrong" }, TextReader.Null, refused, new StringWriter()));
        Assert.Contains("\"failed\":1", refused.ToString(), StringComparison.Ordinal);

        var unanswered = new StringWriter();
        var error = new StringWriter();
        var exit = await SendCommand.RunAsync(Settings(site.Address, clientKey) with { Ticket = "good", ExpectReplies = 1, Timeout = TimeSpan.FromSeconds(1) },
            TextReader.Null, unanswered, error);
        Assert.Equal(1, exit);
        Assert.Contains("\"delivered\":1", unanswered.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 of 1 replies", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    public async Task Send_exits_2_for_a_message_that_is_not_a_json_object(string message, string problem)
    {
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        using var other = AgentKey.Generate("127.0.0.1", 0);
        var error = new StringWriter();

        var exit = await SendCommand.RunAsync(Settings($"{other.Agent}@127.0.0.1:1", clientKey) with { Message = message }, TextReader.Null, new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Contains(problem, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("--count", "0")]
    [InlineData("--mode", "loud")]
    [InlineData("--ticket", "mychips:broken")]
    [InlineData("--delivery", "sometimes")]
    public async Task Send_exits_2_for_bad_arguments(params string[] extra)
    {
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        using var other = AgentKey.Generate("127.0.0.1", 0);
        string[] args = extra.Length == 1
            ? ["send", extra[0], "{}", "--key", clientKey]
            : ["send", $"{other.Agent}@127.0.0.1:1", "{}", "--key", clientKey, .. extra];

        var (exit, output, error) = await CliHarness.InvokeAsync(args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData(PeerMode.Raw, "raw")]
    [InlineData(PeerMode.MyChipsJs, "encrypted")]
    [InlineData(PeerMode.Strict, "strict")]
    public async Task Send_to_a_peer_without_receipts_reports_every_message_written_and_gets_every_reply(PeerMode mode, string jsMode)
    {
        await using var js = await Protocol.Testing.JsPeerProcess.StartAsync(new Protocol.Testing.JsPeerOptions { Listen = 0, Echo = true, Mode = jsMode });
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await SendCommand.RunAsync(Settings($"{js.Agent}@127.0.0.1:{js.Port}", clientKey) with { Mode = mode, Count = 3, ExpectReplies = 3 },
            TextReader.Null, output, error);

        Assert.True(exit == 0, error.ToString());
        var lines = CliHarness.JsonLinesOf(output.ToString()).ToList();
        var delivered = lines.Where(l => l.TryGetProperty("delivered", out _)).ToList();
        Assert.Equal([1, 2, 3], delivered.Select(l => l.GetProperty("delivered").GetInt32()).Order());
        Assert.All(delivered, l => Assert.Equal("Written", l.GetProperty("confirmation").GetString()));
        Assert.Single(delivered.Select(l => l.GetProperty("connection").GetInt64()).Distinct());
        Assert.Equal(3, lines.Count - delivered.Count);
        Assert.Empty(js.EventsNamed("dropped"));
    }

    private static SendCommand.Settings Settings(string destination, string keyFile)
    {
        Assert.True(OptionParsers.TryParseDestination(destination, out var parsed, out var problem), problem);
        return new SendCommand.Settings
        {
            Destination = parsed!,
            Message = """{"target":"tally","action":"ticket"}""",
            KeyFile = new FileInfo(keyFile),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }
}
