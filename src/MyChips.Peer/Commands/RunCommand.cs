using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MyChips.Protocol.Hosting;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>
/// <c>mychips-peer run</c>: runs a node until Ctrl+C or SIGTERM. Prints <c>{"listening":..}</c> once it listens,
/// then every received message as one JSON line; with <c>--echo</c> sends each back as <c>{"echo":message}</c>.
/// </summary>
public static class RunCommand
{
    /// <summary>Command-line values; null ones leave the configuration file's (or the default) value.</summary>
    public sealed record Settings
    {
        public FileInfo? Config { get; init; }
        public FileInfo? KeyFile { get; init; }
        public string? Listen { get; init; }
        public int? Port { get; init; }
        public PeerMode? Mode { get; init; }
        public DeliveryMode? Delivery { get; init; }
        public KeyStoreKind? KeyStore { get; init; }
        public string? Postgres { get; init; }
        public TimeSpan? HandshakeTimeout { get; init; }
        public TimeSpan? IdleTimeout { get; init; }
        public TimeSpan? ShutdownGrace { get; init; }
        public IReadOnlyList<string> Tickets { get; init; } = [];
        public IReadOnlyList<string> KnownAgents { get; init; } = [];
        public bool Echo { get; init; }
        public LogLevel LogLevel { get; init; } = LogLevel.Information;
    }

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = $"A JSON configuration file; its '{MyChipsPeerOptions.SectionName}' section holds the node's options.", HelpName = "FILE" };
        var key = CommonOptions.KeyFile(required: false);
        var listen = new Option<string?>("--listen") { Description = "The IP address to listen on (default: the key file's host).", HelpName = "ADDRESS" };
        var port = new Option<int?>("--port") { Description = "The port to listen on (default: the key file's port; 0 picks a free one).", CustomParser = r => OptionParsers.IntInRange(r, 0, 65535, 0), HelpName = "PORT" };
        var mode = new Option<PeerMode?>("--mode") { Description = $"Encryption mode: {OptionParsers.ModeNames} (default strict).", CustomParser = r => OptionParsers.Mode(r), HelpName = "MODE" };
        var delivery = new Option<DeliveryMode?>("--delivery") { Description = $"When a message (such as an --echo reply) counts as delivered: {OptionParsers.DeliveryNames} (default auto).", CustomParser = r => OptionParsers.Delivery(r), HelpName = "DELIVERY" };
        var keyStore = new Option<KeyStoreKind?>("--key-store") { Description = "Where peers' keys and tickets are: InMemory (default) or Postgres.", HelpName = "STORE" };
        var postgres = new Option<string?>("--postgres") { Description = "The site's MyCHIPs PostgreSQL database (Npgsql connection string); implies --key-store Postgres.", HelpName = "CONNECTION" };
        var handshake = new Option<TimeSpan?>("--handshake-timeout") { Description = "Time allowed for a handshake (default 10s).", CustomParser = r => OptionParsers.Duration(r, TimeSpan.Zero), HelpName = "DURATION" };
        var idle = new Option<TimeSpan?>("--idle-timeout") { Description = "Close inbound connections idle this long (default 60s).", CustomParser = r => OptionParsers.Duration(r, TimeSpan.Zero), HelpName = "DURATION" };
        var grace = new Option<TimeSpan?>("--shutdown-grace") { Description = "On SIGTERM or Ctrl+C, time given to messages in flight to be written and acknowledged before every connection closes (default 5s).", CustomParser = r => OptionParsers.Duration(r, TimeSpan.Zero), HelpName = "DURATION" };
        var tickets = new Option<string[]>("--ticket") { Description = "Accept a first-time connection with this ticket token, once (repeatable; in-memory key store).", HelpName = "TOKEN" };
        var known = new Option<string[]>("--known") { Description = "A remote agent this node knows, AGENT@HOST:PORT: it may open later (N+KK) connections (repeatable; in-memory key store).", HelpName = "AGENT@HOST:PORT" };
        var echo = new Option<bool>("--echo") { Description = "Send every received message back to its sender as {\"echo\":message}." };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least level logged to stderr (default Information).", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("run", "Run a peer node until Ctrl+C or SIGTERM, printing every received message as a JSON line.")
        {
            config, key, listen, port, mode, delivery, keyStore, postgres, handshake, idle, grace, tickets, known, echo, logLevel,
        };
        command.SetAction((parse, cancel) => RunAsync(new Settings
        {
            Config = parse.GetValue(config),
            KeyFile = parse.GetValue(key),
            Listen = parse.GetValue(listen),
            Port = parse.GetValue(port),
            Mode = parse.GetValue(mode),
            Delivery = parse.GetValue(delivery),
            KeyStore = parse.GetValue(keyStore),
            Postgres = parse.GetValue(postgres),
            HandshakeTimeout = parse.GetValue(handshake),
            IdleTimeout = parse.GetValue(idle),
            ShutdownGrace = parse.GetValue(grace),
            Tickets = parse.GetValue(tickets) ?? [],
            KnownAgents = parse.GetValue(known) ?? [],
            Echo = parse.GetValue(echo),
            LogLevel = parse.GetValue(logLevel),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancel));
        return command;
    }

    /// <summary>Runs until the token fires or the process is asked to stop; exit 0 after a clean stop.</summary>
    public static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Config is { Exists: false })
        {
            error.WriteLine($"run: the configuration file '{settings.Config.FullName}' does not exist.");
            return ExitCodes.BadInput;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Environment.CurrentDirectory });
        builder.Configuration.AddEnvironmentVariables("MYCHIPS_");
        try
        {
            if (settings.Config is not null) builder.Configuration.AddJsonFile(settings.Config.FullName, optional: false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"run: cannot read the configuration file '{settings.Config!.FullName}': {e.InnerException?.Message ?? e.Message}");
            return ExitCodes.BadInput;
        }
        builder.Logging.ClearProviders().AddProvider(new TextWriterLoggerProvider(error, settings.LogLevel)).SetMinimumLevel(settings.LogLevel);
        builder.Services.AddMyChipsPeer(builder.Configuration.GetSection(MyChipsPeerOptions.SectionName), o => Apply(settings, o));

        IHost host;
        try
        {
            host = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            error.WriteLine($"run: cannot read the configuration: {e.Message}");
            return ExitCodes.BadInput;
        }
        using (host)
        {
            PeerNode node;
            try
            {
                await host.StartAsync(cancellationToken);
                node = host.Services.GetRequiredService<MyChipsPeerService>().Node;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException or FormatException)
            {
                error.WriteLine($"run: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (SocketException e)
            {
                error.WriteLine($"run: cannot listen: {e.Message}");
                return ExitCodes.Failure;
            }
            var lines = new JsonLines(output);
            lines.Write(w =>
            {
                w.WriteString("listening", $"{node.Agent}@{node.LocalEndPoint.Address}:{node.LocalEndPoint.Port}");
                w.WriteString("agent", node.Agent.ToString());
                w.WriteNumber("port", node.LocalEndPoint.Port);
                w.WriteString("mode", node.Options.Mode.ToString());
            });
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MyChips.Peer.Run");
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            try
            {
                await foreach (var message in node.ReadAllAsync(stop.Token))
                {
                    lines.Received(message);
                    if (settings.Echo) _ = EchoAsync(node, message, logger);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            await host.StopAsync(CancellationToken.None);
        }
        return ExitCodes.Ok;
    }

    private static void Apply(Settings settings, MyChipsPeerOptions options)
    {
        if (settings.KeyFile is not null) options.KeyFile = settings.KeyFile.FullName;
        if (settings.Listen is not null) options.ListenAddress = settings.Listen;
        if (settings.Port is not null) options.Port = settings.Port;
        if (settings.Mode is not null) options.Mode = settings.Mode.Value;
        if (settings.Postgres is not null)
        {
            options.PostgresConnectionString = settings.Postgres;
            options.KeyStore = KeyStoreKind.Postgres;
        }
        if (settings.KeyStore is not null) options.KeyStore = settings.KeyStore.Value;
        if (settings.Delivery is not null) options.Delivery = settings.Delivery.Value;
        if (settings.HandshakeTimeout is not null) options.HandshakeTimeout = settings.HandshakeTimeout.Value;
        if (settings.IdleTimeout is not null) options.IdleTimeout = settings.IdleTimeout.Value;
        if (settings.ShutdownGrace is not null) options.ShutdownGracePeriod = settings.ShutdownGrace.Value;
        options.Tickets.AddRange(settings.Tickets);
        options.KnownAgents.AddRange(settings.KnownAgents);
    }

    /// <summary>Sends <c>{"echo":message}</c> back to its sender (see <see cref="PeerNode.ReplyAsync"/>).</summary>
    private static async Task EchoAsync(PeerNode node, PeerMessage message, ILogger logger)
    {
        var reply = new MemoryStream();
        using (var writer = new Utf8JsonWriter(reply))
        {
            writer.WriteStartObject();
            JsonLines.WriteJson(writer, "echo", message.Json.Span);
            writer.WriteEndObject();
        }
        try
        {
            await node.ReplyAsync(message, reply.ToArray());
        }
        catch (DeliveryFailedException e)
        {
            logger.LogWarning("Echo to {Agent} not delivered: {Reason}", message.From, e.Message);
        }
    }
}
