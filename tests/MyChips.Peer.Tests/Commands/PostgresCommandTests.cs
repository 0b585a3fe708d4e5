using MyChips.Peer.Commands;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;
using MyChips.Protocol.Testing;

namespace MyChips.Peer.Tests.Commands;

[CollectionDefinition(Name)]
public sealed class PostgresCommandCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "cli-postgres";
}

/// <summary><c>ticket --postgres</c> and <c>run --postgres</c> against a real (throwaway) PostgreSQL server.</summary>
[Collection(PostgresCommandCollection.Name)]
public sealed class PostgresCommandTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_ticket_issued_in_the_database_opens_one_first_time_connection_to_run_with_that_database()
    {
        var connection = await fixture.Server.CreateDatabaseAsync("cli");
        await MyChipsDatabase.ApplySchemaAsync(connection);
        // The database wants a real port; run listens on a free one instead (--port 0).
        var (siteKey, siteAgent) = CliHarness.WriteKey(_folder, "site", port: 65001);
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");
        await using (var dataSource = MyChipsDatabase.CreateDataSource(connection))
        {
            await MyChipsDatabase.UpsertAgentAsync(dataSource, AgentRecord.FromId(siteAgent, "127.0.0.1", 65001));
            await MyChipsDatabase.UpsertUserAsync(dataSource, "palice", new ChipAddress("alice", siteAgent, "127.0.0.1", 65001));
        }

        var issued = await CliHarness.InvokeAsync("ticket", "--key", siteKey, "--user", "alice", "--postgres", connection);
        Assert.True(issued.Exit == 0, issued.Error);
        var ticket = issued.Output.Trim();
        Assert.Equal("alice", ConnectionTicket.ParseJson(ticket).Chad.Cuid);

        await using var site = await RunningPeer.StartAsync(new RunCommand.Settings { KeyFile = new FileInfo(siteKey), Port = 0, Postgres = connection, Echo = true });
        var first = new StringWriter();
        var firstExit = await SendCommand.RunAsync(Settings(site.Address, clientKey, ticket) with { ExpectReplies = 1 }, TextReader.Null, first, new StringWriter());
        Assert.True(firstExit == 0, first.ToString());
        Assert.Contains("\"echo\"", first.ToString(), StringComparison.Ordinal);

        var again = new StringWriter();
        Assert.Equal(1, await SendCommand.RunAsync(Settings(site.Address, clientKey, ticket), TextReader.Null, again, new StringWriter()));
        Assert.Contains("\"failed\":1", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ticket_for_a_user_the_database_does_not_know_exits_2()
    {
        var connection = await fixture.Server.CreateDatabaseAsync("cli");
        await MyChipsDatabase.ApplySchemaAsync(connection);
        var (siteKey, _) = CliHarness.WriteKey(_folder, "site");

        var (exit, output, error) = await CliHarness.InvokeAsync("ticket", "--key", siteKey, "--user", "nobody", "--postgres", connection);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("nobody", error, StringComparison.Ordinal);
    }

    private static SendCommand.Settings Settings(string address, string keyFile, string ticket)
    {
        Assert.True(OptionParsers.TryParseDestination(address, out var destination, out var problem), problem);
        return new SendCommand.Settings
        {
            Destination = destination!,
            Message = """{"target":"tally","action":"ticket"}""",
            KeyFile = new FileInfo(keyFile),
            Ticket = ticket,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }
}
