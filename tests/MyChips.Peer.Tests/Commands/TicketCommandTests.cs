using MyChips.Protocol.Keys;

namespace MyChips.Peer.Tests.Commands;

public sealed class TicketCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ticket-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Ticket_prints_a_ticket_of_the_key_files_site_as_json()
    {
        var (key, agent) = CliHarness.WriteKey(_folder, "site");
        var (exit, output, _) = await CliHarness.InvokeAsync("ticket", "--key", key, "--user", "alice", "--lifetime", "2h");

        Assert.Equal(0, exit);
        var ticket = ConnectionTicket.ParseJson(output.Trim());
        Assert.Equal(agent, ticket.Chad.Agent);
        Assert.Equal("alice", ticket.Chad.Cuid);
        Assert.InRange(ticket.Expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(118), TimeSpan.FromMinutes(121));
        Assert.False(string.IsNullOrEmpty(ticket.Token));
    }

    [Fact]
    public async Task Ticket_prints_the_uri_form_on_request()
    {
        var (key, agent) = CliHarness.WriteKey(_folder, "site", port: 65430);
        var (exit, output, _) = await CliHarness.InvokeAsync("ticket", "--key", key, "--format", "uri");

        Assert.Equal(0, exit);
        Assert.StartsWith("mychips:", output, StringComparison.Ordinal);
        Assert.Equal(agent, ConnectionTicket.ParseUri(output.Trim()).Chad.Agent);
    }

    [Fact]
    public async Task Ticket_exits_2_without_a_key_or_with_a_bad_one()
    {
        var missing = await CliHarness.InvokeAsync("ticket");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("--key", missing.Error, StringComparison.Ordinal);

        var nowhere = await CliHarness.InvokeAsync("ticket", "--key", Path.Combine(_folder, "none.agk"));
        Assert.Equal(2, nowhere.Exit);
        Assert.Contains("none.agk", nowhere.Error, StringComparison.Ordinal);

        var bad = Path.Combine(_folder, "bad.agk");
        File.WriteAllText(bad, "{\"host\":\"x\"}");
        var malformed = await CliHarness.InvokeAsync("ticket", "--key", bad);
        Assert.Equal(2, malformed.Exit);
        Assert.Equal("", malformed.Output);
        Assert.Contains("bad.agk", malformed.Error, StringComparison.Ordinal);

        var lifetime = await CliHarness.InvokeAsync("ticket", "--key", bad, "--lifetime", "-5s");
        Assert.Equal(2, lifetime.Exit);
    }

    [Fact]
    public async Task Ticket_with_an_unreachable_database_exits_1_and_names_the_server()
    {
        var (key, _) = CliHarness.WriteKey(_folder, "site");
        var port = CliHarness.ClosedPort();
        var (exit, output, error) = await CliHarness.InvokeAsync("ticket", "--key", key,
            "--postgres", $"Host=127.0.0.1;Port={port};Database=mychips;Username=nobody;Timeout=2");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains($"{port}", error, StringComparison.Ordinal);
    }
}
