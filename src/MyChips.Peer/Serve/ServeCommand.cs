using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Serve;

/// <summary>
/// <c>mychips-peer serve</c>: runs one peer node with in-memory stores. Events go to stdout as JSON lines
/// (<c>listening</c>, <c>received</c>, <c>state</c>); the node stops when stdin closes.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0: any free port).", DefaultValueFactory = _ => 0 };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var mode = new Option<PeerMode>("--mode") { Description = "Strict (default), MyChipsJs or Raw.", DefaultValueFactory = _ => PeerMode.Strict };
        var key = new Option<string?>("--key") { Description = "The site's agent key file (MyCHIPs .agk JSON); default: a new identity." };
        var trust = new Option<string[]>("--trust") { Description = "A known agent, AGENT@HOST:PORT (repeatable).", AllowMultipleArgumentsPerToken = true };
        var echo = new Option<bool>("--echo") { Description = "Answer every message m with {\"echo\": m}." };
        var command = new Command("serve", "Run a peer node with in-memory stores; JSON-line events on stdout; stops when stdin closes.");
        foreach (var option in new Option[] { port, host, mode, key, trust, echo }) command.Options.Add(option);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(mode), parse.GetValue(key),
            parse.GetValue(trust) ?? [], parse.GetValue(echo), Console.Out, Console.In, ct));
        return command;
    }

    public static async Task<int> RunAsync(string host, int port, PeerMode mode, string? keyFile, string[] trusted, bool echo,
        TextWriter output, TextReader input, CancellationToken cancellationToken)
    {
        using var key = keyFile is null ? AgentKey.Generate(host, port) : AgentKeyFile.Load(keyFile);
        var keys = new InMemoryKeyProvider();
        foreach (var entry in trusted)
        {
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            var colon = entry.LastIndexOf(':');
            if (at <= 0 || colon <= at)
            {
                await Console.Error.WriteLineAsync($"serve: --trust expects AGENT@HOST:PORT, not '{entry}'.");
                return 2;
            }
            keys.Add(AgentRecord.FromId(AgentId.Parse(entry[..at]), entry[(at + 1)..colon], int.Parse(entry[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        }
        var gate = new Lock();
        void Emit(JsonObject e)
        {
            lock (gate)
            {
                output.WriteLine(e.ToJsonString());
                output.Flush();
            }
        }

        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, ListenEndPoint = new IPEndPoint(IPAddress.Parse(host), port) }, keys);
        node.ConnectionStateChanged += (_, s) => Emit(new JsonObject
        {
            ["event"] = "state", ["connection"] = s.ConnectionId, ["direction"] = s.Direction.ToString(), ["state"] = s.State.ToString(),
            ["agent"] = s.RemoteAgent.ToString(), ["reason"] = s.CloseReason.ToString(),
        });
        await node.StartAsync(cancellationToken);
        Emit(new JsonObject { ["event"] = "listening", ["agent"] = node.Agent.ToString(), ["port"] = node.LocalEndPoint.Port });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdinClosed = Task.Run(async () =>
        {
            while (await input.ReadLineAsync(stop.Token) is not null) { }
            await stop.CancelAsync();
        }, CancellationToken.None);
        try
        {
            await foreach (var message in node.ReadAllAsync(stop.Token))
            {
                Emit(new JsonObject { ["event"] = "received", ["from"] = message.From.ToString(), ["message"] = JsonNode.Parse(message.Json.Span) });
                if (!echo) continue;
                var record = await keys.FindAgentAsync(message.From, stop.Token);
                // The reply uses the open connection the message came on; the address matters only for a reconnect.
                var destination = record is null ? new PeerDestination(message.From, "127.0.0.1", 1) : PeerDestination.From(record);
                var reply = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["echo"] = JsonNode.Parse(message.Json.Span) });
                _ = node.SendAsync(destination, reply).ContinueWith(t =>
                {
                    if (t.Exception?.InnerException is DeliveryFailedException e)
                        Emit(new JsonObject { ["event"] = "failed", ["reason"] = e.Reason.ToString() });
                }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await stdinClosed;
        return 0;
    }
}
