using System.CommandLine;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Postgres;

namespace MyChips.Peer.Commands;

/// <summary><c>mychips-peer ticket</c>: issues a connection ticket for a user of this site and prints it.</summary>
public static class TicketCommand
{
    public enum Format { Json, Uri }

    public sealed record Settings(FileInfo KeyFile, string User, TimeSpan Lifetime, string? Postgres, Format Format);

    public static Command Create()
    {
        var key = CommonOptions.KeyFile(required: true);
        var user = new Option<string>("--user") { Description = "The issuing user's CHIP user id (cuid) at this site (default 'site').", DefaultValueFactory = _ => "site", HelpName = "CUID" };
        var lifetime = CommonOptions.Duration("--lifetime", TicketRequest.DefaultLifetime, "How long the ticket stays valid");
        var postgres = new Option<string?>("--postgres") { Description = "Issue in the site's MyCHIPs PostgreSQL database (an Npgsql connection string) instead of in memory.", HelpName = "CONNECTION" };
        var format = new Option<Format>("--format") { Description = "json (default) or uri (mychips:cuid:agent@host:port?token=..&expires=..).", DefaultValueFactory = _ => Format.Json };
        var command = new Command("ticket", "Issue a one-time connection ticket for a first-time (I, Noise IK) connection to this site.")
        {
            key, user, lifetime, postgres, format,
        };
        command.SetAction((parse, cancel) => RunAsync(
            new Settings(parse.GetValue(key)!, parse.GetValue(user)!, parse.GetValue(lifetime), parse.GetValue(postgres), parse.GetValue(format)),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancel));
        return command;
    }

    /// <summary>
    /// Prints the ticket. In memory it only lives as long as this command: give its token to <c>run --ticket</c>;
    /// in PostgreSQL it is a row of the tokens table, and the issuing user must exist there.
    /// </summary>
    public static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            using var key = KeyFiles.Load(settings.KeyFile);
            if (string.IsNullOrWhiteSpace(settings.User)) throw new UsageException("--user is empty.");
            var request = new TicketRequest(new ChipAddress(settings.User, key.Agent, key.Host, key.Port), settings.Lifetime);
            ConnectionTicket ticket;
            if (settings.Postgres is null)
            {
                ticket = await new InMemoryTicketStore().IssueAsync(request, cancellationToken);
            }
            else
            {
                await using var store = CreatePostgresStore(settings.Postgres);
                ticket = await store.IssueAsync(request, cancellationToken);
            }
            output.WriteLine(settings.Format == Format.Uri ? ticket.ToUri() : ticket.ToJson());
            return ExitCodes.Ok;
        }
        catch (UsageException e)
        {
            error.WriteLine($"ticket: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"ticket: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (KeyStoreUnavailableException e)
        {
            error.WriteLine($"ticket: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static PostgresTicketStore CreatePostgresStore(string connectionString)
    {
        try
        {
            return PostgresTicketStore.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--postgres is not a valid connection string: {e.Message}", e);
        }
    }
}
