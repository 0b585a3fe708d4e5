using System.Text.Json;
using MyChips.Peer.Commands;
using MyChips.Protocol.Hosting;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Run_prints_each_received_message_as_a_json_line_and_echoes_it_with_echo()
    {
        var (siteKey, siteAgent) = CliHarness.WriteKey(_folder, "site");
        var (clientKey, clientAgent) = CliHarness.WriteKey(_folder, "client");
        await using var site = await RunningPeer.StartAsync(new RunCommand.Settings { KeyFile = new FileInfo(siteKey), Echo = true, Tickets = ["t-1"] });
        Assert.Equal(siteAgent.ToString(), site.Listening.GetProperty("agent").GetString());

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SendCommand.RunAsync(new SendCommand.Settings
        {
            Destination = Destination(site.Address),
            Message = """{"target":"tally","action":"ticket"}""",
            KeyFile = new FileInfo(clientKey),
            Ticket = "t-1",
            Count = 2,
            ExpectReplies = 2,
            Timeout = TimeSpan.FromSeconds(30),
        }, TextReader.Null, output, error);

        Assert.True(exit == 0, $"{output}\n{error}\nrun: {site.Output}\n{site.Error}");
        var lines = CliHarness.JsonLinesOf(output.ToString());
        Assert.Equal([1, 2], lines.Where(l => l.TryGetProperty("delivered", out _)).Select(l => l.GetProperty("delivered").GetInt32()).Order());
        var replies = lines.Where(l => l.TryGetProperty("from", out _)).ToList();
        Assert.Equal(2, replies.Count);
        Assert.All(replies, r => Assert.Equal(siteAgent.ToString(), r.GetProperty("from").GetString()));
        Assert.Equal([1, 2], replies.Select(r => r.GetProperty("message").GetProperty("echo").GetProperty("seq").GetInt32()).Order());

        var received = await site.Output.WaitForLineAsync("\"seq\":2", CliHarness.Deadline);
        var message = JsonDocument.Parse(received).RootElement;
        Assert.Equal(clientAgent.ToString(), message.GetProperty("from").GetString());
        Assert.Equal("tally", message.GetProperty("message").GetProperty("target").GetString());
        Assert.Equal(0, await site.StopAsync());
    }

    [Fact]
    public async Task Run_takes_its_options_from_a_configuration_file_and_the_command_line_overrides_them()
    {
        var (siteKey, _) = CliHarness.WriteKey(_folder, "site");
        var config = Path.Combine(_folder, "peer.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            [MyChipsPeerOptions.SectionName] = new Dictionary<string, object> { ["KeyFile"] = siteKey, ["Mode"] = "Raw", ["IdleTimeout"] = "00:00:30" },
        }));

        await using (var fromFile = await RunningPeer.StartAsync(new RunCommand.Settings { Config = new FileInfo(config) }))
        {
            Assert.Equal("Raw", fromFile.Listening.GetProperty("mode").GetString());
        }
        await using var overridden = await RunningPeer.StartAsync(new RunCommand.Settings { Config = new FileInfo(config), Mode = PeerMode.MyChipsJs });
        Assert.Equal("MyChipsJs", overridden.Listening.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Run_exits_2_with_a_clear_message_without_a_usable_key()
    {
        var none = await CliHarness.InvokeAsync("run");
        Assert.Equal(2, none.Exit);
        Assert.Contains("KeyFile", none.Error, StringComparison.Ordinal);

        var bad = Path.Combine(_folder, "bad.agk");
        File.WriteAllText(bad, "not json");
        var malformed = await CliHarness.InvokeAsync("run", "--key", bad);
        Assert.Equal(2, malformed.Exit);
        Assert.Contains("bad.agk", malformed.Error, StringComparison.Ordinal);
        Assert.Equal("", malformed.Output);
    }

    [Theory]
    [InlineData("--mode", "fast")]
    [InlineData("--idle-timeout", "soon")]
    [InlineData("--port", "-1")]
    [InlineData("--config", "/no/such/peer.json")]
    public async Task Run_exits_2_for_bad_arguments(string option, string value)
    {
        var (key, _) = CliHarness.WriteKey(_folder, "site");
        var (exit, output, error) = await CliHarness.InvokeAsync("run", "--key", key, option, value);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData("{ not json", "peer.json")]
    [InlineData("""{"MyChipsPeer":{"Mode":"Loud"}}""", "Loud")]
    [InlineData("""{"MyChipsPeer":{"HandshakeTimeout":"soon"}}""", "soon")]
    public async Task Run_exits_2_for_a_configuration_file_it_cannot_use(string content, string named)
    {
        var (key, _) = CliHarness.WriteKey(_folder, "site");
        var config = Path.Combine(_folder, "peer.json");
        File.WriteAllText(config, content);

        var (exit, output, error) = await CliHarness.InvokeAsync("run", "--key", key, "--config", config);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_exits_2_naming_a_known_agent_it_cannot_read()
    {
        var (key, _) = CliHarness.WriteKey(_folder, "site");
        var (exit, output, error) = await CliHarness.InvokeAsync("run", "--key", key, "--known", "nobody@127.0.0.1:1");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("KnownAgents", error, StringComparison.Ordinal);
        Assert.Contains("'nobody' is not an agent id", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_exits_2_when_postgres_is_chosen_without_a_connection_string()
    {
        var (key, _) = CliHarness.WriteKey(_folder, "site");
        var (exit, _, error) = await CliHarness.InvokeAsync("run", "--key", key, "--key-store", "Postgres");
        Assert.Equal(2, exit);
        Assert.Contains("PostgresConnectionString", error, StringComparison.Ordinal);
    }

    private static PeerDestination Destination(string address)
    {
        Assert.True(OptionParsers.TryParseDestination(address, out var destination, out var problem), problem);
        return destination!;
    }
}
