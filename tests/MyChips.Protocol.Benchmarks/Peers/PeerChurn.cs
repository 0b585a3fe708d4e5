using System.Diagnostics;
using System.Globalization;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Benchmarks.Peers;

/// <summary>
/// `peer-churn [setups] [initiators] [Strict|Raw]`: connection churn against one responder. Several initiator
/// nodes each loop: open a connection (N+KK), deliver one message, disconnect, wait for the close. Prints, at every
/// tenth of the run, the setups and failures so far, the rate in that tenth, and the process's managed heap, RSS
/// and memory mappings after a full collection, so a leak shows as a figure that grows from tenth to tenth. The
/// initiators run in the same process as the responder: flat figures mean neither side keeps what it closed.
/// </summary>
public static class PeerChurn
{
    private static readonly byte[] Message = """{"target":"tally","action":"churn"}"""u8.ToArray();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(int setups, int initiators, PeerMode mode)
    {
        var limits = new PeerLimits
        {
            // Every initiator comes from 127.0.0.1: the per-address defaults are for the open internet.
            MaxConnectionsPerAddress = 10_000,
            MaxPendingHandshakesPerAddress = 512,
        };
        using var responderKey = AgentKey.Generate("127.0.0.1", 0);
        await using var responder = new PeerNode(new PeerNodeOptions
        {
            LocalKey = responderKey, Mode = mode, Limits = limits, BlockList = BlockListOptions.Disabled,
        }, new InMemoryKeyProvider());
        await responder.StartAsync();
        var responderKeys = (InMemoryKeyProvider)responder.KeyProvider;
        var destination = new PeerDestination(responder.Agent, "127.0.0.1", responder.LocalEndPoint.Port);
        var draining = Task.Run(async () => { await foreach (var _ in responder.ReadAllAsync()) { } });

        var nodes = new List<(PeerNode Node, AgentKey Key)>();
        for (var i = 0; i < initiators; i++)
        {
            var key = AgentKey.Generate("127.0.0.1", 0);
            var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, BlockList = BlockListOptions.Disabled });
            await node.StartAsync();
            responderKeys.Add(AgentRecord.FromId(key.Agent, "127.0.0.1", node.LocalEndPoint.Port));
            nodes.Add((node, key));
        }

        Console.WriteLine($"peer-churn: {setups:N0} N+KK setups, {initiators} initiators, {mode}; one message each, then disconnect");
        Console.WriteLine("| setups | failed | setups/s (this tenth) | heap MB | RSS MB | mappings |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        var done = 0L;
        var failed = 0L;
        var tenth = Math.Max(1, setups / 10);
        var window = Stopwatch.StartNew();
        var report = new SemaphoreSlim(1, 1);
        async Task LoopAsync(PeerNode node)
        {
            // Each setup takes a ticket; the one whose ticket ends a tenth reports it, once.
            for (var ticket = Interlocked.Increment(ref done); ticket <= setups; ticket = Interlocked.Increment(ref done))
            {
                if (!await OneSetupAsync(node, destination)) Interlocked.Increment(ref failed);
                var count = ticket;
                if (count % tenth == 0)
                {
                    await report.WaitAsync();
                    try
                    {
                        var (heap, rss, maps) = Measure();
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {count:N0} | {Volatile.Read(ref failed)} | {tenth / window.Elapsed.TotalSeconds:F0} | {heap / 1e6:F1} | {rss / 1e6:F1} | {maps} |"));
                        window.Restart();
                    }
                    finally
                    {
                        report.Release();
                    }
                }
            }
        }
        await Task.WhenAll(nodes.Select(n => Task.Run(() => LoopAsync(n.Node))));
        Console.WriteLine($"failed setups: {Volatile.Read(ref failed)}");
        foreach (var (node, key) in nodes)
        {
            await node.DisposeAsync();
            key.Dispose();
        }
        await responder.DisposeAsync();
        await draining;
    }

    private static async Task<bool> OneSetupAsync(PeerNode node, PeerDestination destination)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ConnectionStateChange> onClose = (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(); };
        node.ConnectionStateChanged += onClose;
        try
        {
            await node.SendAsync(destination, Message).WaitAsync(Deadline);
            node.Disconnect(destination.Agent);
            await closed.Task.WaitAsync(Deadline);
            return true;
        }
        catch (Exception e) when (e is DeliveryFailedException or TimeoutException)
        {
            Console.Error.WriteLine($"setup failed: {e.Message}");
            return false;
        }
        finally
        {
            node.ConnectionStateChanged -= onClose;
        }
    }

    private static (long Heap, long Rss, long Maps) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        long rss = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return (heap, rss, File.ReadLines("/proc/self/maps").LongCount());
    }
}
