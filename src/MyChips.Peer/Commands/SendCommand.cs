using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Commands;

/// <summary>
/// <c>mychips-peer send</c>: sends a JSON message (or numbered copies) to a site, prints one JSON line per
/// delivery or failure, and optionally waits for replies. Exit 1 if anything was not delivered or not answered.
/// </summary>
public static class SendCommand
{
    public sealed record Settings
    {
        public required PeerDestination Destination { get; init; }
        public required string Message { get; init; }
        public required FileInfo KeyFile { get; init; }
        public PeerMode Mode { get; init; } = PeerMode.Strict;
        public DeliveryMode Delivery { get; init; } = DeliveryMode.Auto;
        public int Count { get; init; } = 1;
        public string? Ticket { get; init; }
        public int ExpectReplies { get; init; }
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
        public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    }

    public static Command Create()
    {
        var destination = new Argument<PeerDestination>("DESTINATION") { Description = "The site to send to: AGENT@HOST:PORT.", CustomParser = OptionParsers.Destination };
        var message = new Argument<string>("MESSAGE") { Description = "A JSON object, or '-' to read it from stdin." };
        var key = CommonOptions.KeyFile(required: true);
        var mode = CommonOptions.Mode();
        var delivery = CommonOptions.Delivery();
        var count = new Option<int>("--count") { Description = "Send this many copies, each with a \"seq\" member from 1 (default 1).", DefaultValueFactory = _ => 1, CustomParser = r => OptionParsers.IntInRange(r, 1, 1_000_000, 1), HelpName = "N" };
        var ticket = new Option<string?>("--ticket") { Description = "Open a first-time connection (I, Noise IK) with this ticket: a token, a mychips: URI or the ticket's JSON.", HelpName = "TICKET" };
        var replies = new Option<int>("--expect-replies") { Description = "Wait for this many replies and print them as JSON lines (default 0).", DefaultValueFactory = _ => 0, CustomParser = r => OptionParsers.IntInRange(r, 0, 1_000_000, 0), HelpName = "N" };
        var timeout = CommonOptions.Duration("--timeout", TimeSpan.FromSeconds(10), "Time allowed for the deliveries and then for the replies");
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least level logged to stderr (default Warning).", DefaultValueFactory = _ => LogLevel.Warning };
        var command = new Command("send", "Send a JSON message to AGENT@HOST:PORT and report each delivery or failure.")
        {
            destination, message, key, mode, delivery, count, ticket, replies, timeout, logLevel,
        };
        command.SetAction((parse, cancel) => RunAsync(new Settings
        {
            Destination = parse.GetValue(destination)!,
            Message = parse.GetValue(message)!,
            KeyFile = parse.GetValue(key)!,
            Mode = parse.GetValue(mode),
            Delivery = parse.GetValue(delivery),
            Count = parse.GetValue(count),
            Ticket = parse.GetValue(ticket),
            ExpectReplies = parse.GetValue(replies),
            Timeout = parse.GetValue(timeout),
            LogLevel = parse.GetValue(logLevel),
        }, Console.In, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancel));
        return command;
    }

    public static async Task<int> RunAsync(Settings settings, TextReader input, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        JsonObject template;
        ConnectionTicket? ticket;
        AgentKey key;
        try
        {
            template = ParseMessage(settings.Message == "-" ? await input.ReadToEndAsync(cancellationToken) : settings.Message);
            ticket = settings.Ticket is null ? null : ParseTicket(settings.Ticket, settings.Destination);
            key = KeyFiles.Load(settings.KeyFile);
        }
        catch (UsageException e)
        {
            error.WriteLine($"send: {e.Message}");
            return ExitCodes.BadInput;
        }

        using (key)
        {
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(error, settings.LogLevel)).SetMinimumLevel(settings.LogLevel));
            var listen = IPAddress.TryParse(key.Host, out var address) ? address : IPAddress.Loopback;
            await using var node = new PeerNode(new PeerNodeOptions
            {
                LocalKey = key,
                ListenEndPoint = new IPEndPoint(listen, 0),
                Mode = settings.Mode,
                Delivery = settings.Delivery,
                HandshakeTimeout = settings.Timeout,
            }, logger: loggers.CreateLogger<PeerNode>());
            await node.StartAsync(cancellationToken);
            var lines = new JsonLines(output);
            var undelivered = await SendAllAsync(node, settings, template, ticket, lines, cancellationToken);
            var missing = await ReadRepliesAsync(node, settings, lines, cancellationToken);
            if (undelivered > 0) error.WriteLine($"send: {undelivered} of {settings.Count} messages not delivered.");
            if (missing > 0) error.WriteLine($"send: {missing} of {settings.ExpectReplies} replies did not come within {settings.Timeout}.");
            return undelivered == 0 && missing == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }
    }

    /// <summary>The first message opens the connection (with the ticket, if any); the rest go on it together.</summary>
    private static async Task<int> SendAllAsync(PeerNode node, Settings settings, JsonObject template, ConnectionTicket? ticket,
        JsonLines lines, CancellationToken cancellationToken)
    {
        var undelivered = 0;
        if (!await SendOneAsync(node, settings, template, 1, ticket, lines, cancellationToken)) undelivered++;
        var rest = Enumerable.Range(2, settings.Count - 1)
            .Select(n => SendOneAsync(node, settings, template, n, null, lines, cancellationToken)).ToArray();
        foreach (var delivered in await Task.WhenAll(rest))
        {
            if (!delivered) undelivered++;
        }
        return undelivered;
    }

    private static async Task<bool> SendOneAsync(PeerNode node, Settings settings, JsonObject template, int number,
        ConnectionTicket? ticket, JsonLines lines, CancellationToken cancellationToken)
    {
        var message = (JsonObject)template.DeepClone();
        if (settings.Count > 1) message["seq"] = number;
        try
        {
            var receipt = await node.SendAsync(settings.Destination, JsonSerializer.SerializeToUtf8Bytes(message), ticket, cancellationToken)
                .WaitAsync(settings.Timeout, cancellationToken);
            lines.Write(w =>
            {
                w.WriteNumber("delivered", number);
                w.WriteNumber("connection", receipt.ConnectionId);
                w.WriteNumber("sequence", receipt.Sequence);
                w.WriteString("confirmation", receipt.Mode.ToString());
            });
            return true;
        }
        catch (Exception e) when (e is DeliveryFailedException or TimeoutException or OperationCanceledException)
        {
            var reason = e is DeliveryFailedException failed ? failed.Reason.ToString() : e is TimeoutException ? "Timeout" : "Canceled";
            lines.Write(w =>
            {
                w.WriteNumber("failed", number);
                w.WriteString("reason", reason);
                w.WriteString("error", e.Message);
            });
            return false;
        }
    }

    /// <returns>How many expected replies did not come in time.</returns>
    private static async Task<int> ReadRepliesAsync(PeerNode node, Settings settings, JsonLines lines, CancellationToken cancellationToken)
    {
        var received = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            while (received < settings.ExpectReplies)
            {
                var message = await node.Messages.ReadAsync(deadline.Token);
                lines.Received(message);
                received++;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        return settings.ExpectReplies - received;
    }

    private static JsonObject ParseMessage(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new UsageException("the message is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"the message is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A bare token names a ticket of the destination site (as <c>run --ticket</c> accepts it).</summary>
    private static ConnectionTicket ParseTicket(string text, PeerDestination destination)
    {
        try
        {
            if (text.StartsWith('{')) return ConnectionTicket.ParseJson(text);
            if (text.StartsWith("mychips:", StringComparison.Ordinal)) return ConnectionTicket.ParseUri(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--ticket: {e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(text)) throw new UsageException("--ticket is empty.");
        return new ConnectionTicket(text, DateTimeOffset.UtcNow.AddHours(1),
            new ChipAddress("site", destination.Agent, destination.Host, destination.Port));
    }
}
