using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MyChips.Protocol.Bridge;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres;

namespace MyChips.Peer.Commands;

/// <summary>
/// <c>mychips-peer bridge</c>: serves one agent of a MyCHIPs site in place of its JavaScript peer server, moving the
/// site database's notifications to other sites and their messages into the database, until Ctrl+C or SIGTERM.
/// </summary>
public static class BridgeCommand
{
    public sealed record Settings
    {
        public required FileInfo KeyFile { get; init; }
        public required string Postgres { get; init; }
        public int? Port { get; init; }
        public PeerMode Mode { get; init; } = PeerMode.Strict;
        public TimeSpan? RetryAge { get; init; }
        public bool CheckSignatures { get; init; } = true;
        public LogLevel LogLevel { get; init; } = LogLevel.Information;
    }

    public static Command Create()
    {
        var key = CommonOptions.KeyFile(required: true);
        var postgres = new Option<string>("--postgres") { Description = "The site's MyCHIPs PostgreSQL database (Npgsql connection string).", Required = true, HelpName = "CONNECTION" };
        var port = new Option<int?>("--port") { Description = "The port to listen on (default: the key file's port; 0 picks a free one).", CustomParser = r => OptionParsers.IntInRange(r, 0, 65535, 0), HelpName = "PORT" };
        var mode = CommonOptions.Mode();
        var retry = new Option<TimeSpan?>("--retry-age") { Description = "Re-send requests whose last attempt is this old, with tally_notices(AGE) (default: tally_notices(), whose database decides).", CustomParser = r => OptionParsers.Duration(r, TimeSpan.Zero), HelpName = "DURATION" };
        var noSignatureChecks = new Option<bool>("--no-signature-checks") { Description = "Do not check tally and chit signatures (for tests, as the JavaScript peer server's test switch)." };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least level logged to stderr (default Information).", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("bridge", "Serve a MyCHIPs site's agent: send its database's notifications and take in other sites' messages.")
        {
            key, postgres, port, mode, retry, noSignatureChecks, logLevel,
        };
        command.SetAction((parse, cancel) => RunAsync(new Settings
        {
            KeyFile = parse.GetValue(key)!,
            Postgres = parse.GetValue(postgres)!,
            Port = parse.GetValue(port),
            Mode = parse.GetValue(mode),
            RetryAge = parse.GetValue(retry),
            CheckSignatures = !parse.GetValue(noSignatureChecks),
            LogLevel = parse.GetValue(logLevel),
        }, parse.InvocationConfiguration.Error, cancel));
        return command;
    }

    /// <summary>Runs until the token fires; exit 0 after a clean stop.</summary>
    public static async Task<int> RunAsync(Settings settings, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AgentKey key;
        try
        {
            key = KeyFiles.Load(settings.KeyFile);
        }
        catch (UsageException e)
        {
            error.WriteLine($"bridge: {e.Message}");
            return ExitCodes.BadInput;
        }

        using (key)
        {
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(error, settings.LogLevel)).SetMinimumLevel(settings.LogLevel));
            await using var database = MyChipsDatabase.CreateDataSource(settings.Postgres);
            await using var keys = new PostgresKeyProvider(database);
            // Tickets are let in while token_valid says so, and redeemed by the bridge when their message is taken in.
            await using var tickets = new SiteTicketStore(database);
            var listen = IPAddress.TryParse(key.Host, out var address) ? address : IPAddress.Any;
            await using var node = new PeerNode(new PeerNodeOptions
            {
                LocalKey = key,
                ListenEndPoint = new IPEndPoint(listen, settings.Port ?? key.Port),
                Mode = settings.Mode,
            }, keys, tickets, loggers.CreateLogger<PeerNode>());
            try
            {
                await keys.StartAsync(cancellationToken);
                await node.StartAsync(cancellationToken);
            }
            catch (SocketException e)
            {
                error.WriteLine($"bridge: cannot listen: {e.Message}");
                return ExitCodes.Failure;
            }
            await using var bridge = new SiteBridge(node, database, new SiteBridgeOptions { RetryAge = settings.RetryAge, CheckSignatures = settings.CheckSignatures }, loggers.CreateLogger<SiteBridge>());
            await bridge.StartAsync();
            loggers.CreateLogger("MyChips.Peer.Bridge").LogInformation("Serving agent {Agent} on port {Port}, channel {Channel}.",
                node.Agent, node.LocalEndPoint.Port, bridge.Channel);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        return ExitCodes.Ok;
    }
}
