using System.CommandLine;
using System.Globalization;
using System.Net;
using MyChips.Protocol.Overlay.Node;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Peer.Commands;

/// <summary>The overlay subcommands that start a node: <c>run</c>, <c>send</c> and <c>table</c>.</summary>
internal static class OverlayNodeCommands
{
    private sealed record NodeSettings(string Folder, string Listen, string[] Entries, bool Relay, bool NoRelays);

    private static (Option<DirectoryInfo> Dir, Option<string> Listen, Option<string[]> Entries, Option<bool> Relay, Option<bool> NoRelays) NodeOptions() =>
    (
        OverlayCommand.DirOption(),
        new Option<string>("--listen") { Description = "Where to accept connections, IP:PORT (default 127.0.0.1:0), or 'none' (reachable through a relay only).", DefaultValueFactory = _ => "127.0.0.1:0", HelpName = "ADDRESS" },
        new Option<string[]>("--entry") { Description = "An entry point, HOST:PORT (a name goes through the system resolver); repeat for more, tried in order.", AllowMultipleArgumentsPerToken = true, HelpName = "HOST:PORT" },
        new Option<bool>("--relay") { Description = "Offer to relay for nodes that accept no connections (within the default limits)." },
        new Option<bool>("--no-relays") { Description = "Never use a relay: no reservation, no relayed channels (privacy)." }
    );

    public static Command CreateRun()
    {
        var (dir, listen, entries, relay, noRelays) = NodeOptions();
        var command = new Command("run", "Run a node until stopped (Ctrl+C): join through the entry points, print each message received; buckets are refreshed and entry points checked (dead ones replaced) every 10 minutes.") { dir, listen, entries, relay, noRelays };
        command.SetAction((parse, cancel) =>
        {
            var settings = Settings(parse, dir, listen, entries, relay, noRelays);
            var error = parse.InvocationConfiguration.Error;
            return WithNodeAsync(settings, parse.InvocationConfiguration, "overlay run", async (node, output) =>
            {
                // Buckets refreshed and entry points checked every refresh interval while the node runs.
                var maintaining = node.MaintainAsync(settings.Entries, list => error.WriteLine($"overlay run: entry points now {string.Join(", ", list)}"), cancel);
                try
                {
                    await foreach (var message in node.Messages.ReadAllAsync(cancel)) await output.WriteLineAsync($"message from {message.From}: {message.Text}");
                }
                catch (OperationCanceledException)
                {
                    // stopped
                }
                await maintaining;
                return ExitCodes.Ok;
            }, cancel);
        });
        return command;
    }

    public static Command CreateSend()
    {
        var (dir, listen, entries, relay, noRelays) = NodeOptions();
        var to = new Option<string>("--to") { Description = "The contact's name.", Required = true, HelpName = "NAME" };
        var text = new Option<string>("--text") { Description = "The message.", Required = true, HelpName = "TEXT" };
        var command = new Command("send", "Join, send one private message to a contact over a direct Noise channel (or a consented relay), and exit.") { dir, listen, entries, relay, noRelays, to, text };
        command.SetAction((parse, cancel) => WithNodeAsync(Settings(parse, dir, listen, entries, relay, noRelays), parse.InvocationConfiguration, "overlay send", async (node, output) =>
        {
            var name = parse.GetValue(to)!;
            if (node.Contacts.Find(name) is null) throw new UsageException($"no contact named '{name}' (see 'overlay add')");
            await node.SendMessageAsync(name, parse.GetValue(text)!, cancel);
            await output.WriteLineAsync($"sent to {name}");
            return ExitCodes.Ok;
        }, cancel));
        return command;
    }

    public static Command CreateTable()
    {
        var (dir, listen, entries, relay, noRelays) = NodeOptions();
        var command = new Command("table", "Join and print the routing table: bucket, id, address, what the peer offers, how long it has been known.") { dir, listen, entries, relay, noRelays };
        command.SetAction((parse, cancel) => WithNodeAsync(Settings(parse, dir, listen, entries, relay, noRelays), parse.InvocationConfiguration, "overlay table", async (node, output) =>
        {
            var now = DateTimeOffset.UtcNow;
            await output.WriteLineAsync("bucket  id        address                  offers                      known");
            foreach (var (bucket, entriesOfBucket) in node.Table.Snapshot())
                foreach (var entry in entriesOfBucket)
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{bucket,6}  {entry.Peer.Id.ToShortString()}  {entry.Peer.Address,-23}  {entry.Peer.Flags,-26}  {(now - entry.FirstSeen).TotalSeconds:F0}s"));
            await output.WriteLineAsync($"{node.Table.Count} peers; this node {node.Identity.Id.ToShortString()}");
            return ExitCodes.Ok;
        }, cancel));
        return command;
    }

    private static NodeSettings Settings(ParseResult parse, Option<DirectoryInfo> dir, Option<string> listen, Option<string[]> entries, Option<bool> relay, Option<bool> noRelays) =>
        new(parse.GetValue(dir)!.FullName, parse.GetValue(listen)!, parse.GetValue(entries) ?? [], parse.GetValue(relay), parse.GetValue(noRelays));

    private static async Task<int> WithNodeAsync(NodeSettings settings, InvocationConfiguration io, string what, Func<OverlayNode, TextWriter, Task<int>> work, CancellationToken cancel)
    {
        try
        {
            var state = OverlayState.Load(settings.Folder);
            IPEndPoint? listenOn = settings.Listen == "none" ? null
                : IPEndPoint.TryParse(settings.Listen, out var parsed) ? parsed
                : throw new UsageException($"--listen '{settings.Listen}' is not IP:PORT or 'none'");
            var offers = (listenOn is null ? PeerFlags.None : PeerFlags.Reachable | PeerFlags.EntryPoint) | (settings.Relay ? PeerFlags.Relay : PeerFlags.None);
            var options = new OverlayOptions { Offers = offers, AllowRelay = !settings.NoRelays };
            await using var node = new OverlayNode(state.Identity, new TcpOverlayTransport(state.Identity, listenOn), options, state.Contacts);
            node.Start();
            await io.Error.WriteLineAsync($"{what}: node {node.Identity.Id.ToShortString()} {(node.Self.Address is { } a ? $"listening on {a}" : "accepting no connections")}");
            if (settings.Entries.Length > 0)
            {
                var entry = await node.JoinAnyAsync(settings.Entries, cancel);
                await io.Error.WriteLineAsync($"{what}: joined through {entry}; {node.Table.Count} peers known");
                if (listenOn is null && !settings.NoRelays)
                {
                    await node.ReserveRelayAsync(cancel);
                    await io.Error.WriteLineAsync($"{what}: reachable through {node.RelayAddress}");
                }
            }
            return await work(node, io.Output);
        }
        catch (UsageException e)
        {
            await io.Error.WriteLineAsync($"{what}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OverlayUnreachableException e)
        {
            await io.Error.WriteLineAsync($"{what}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await io.Error.WriteLineAsync($"{what}: cannot listen on {settings.Listen}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
