using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Benchmarks.Peers;

/// <summary>
/// The loopback load tool: N+KK setups per second and T messages per second for 250-byte JSON messages on
/// one connection, strict against raw against the JavaScript peer, printed side by side from one run.
/// </summary>
public static class PeerLoad
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private static readonly byte[] Message = Encoding.UTF8.GetBytes($$"""{"payload":"{{new string('p', 236)}}"}""");

    public static async Task RunAsync(int setups, int messages, bool withJavaScript)
    {
        Console.WriteLine($"message: {Message.Length} bytes of JSON; setups: {setups} sequential; messages: {messages} on one connection, median of {Repeats} runs");
        var rows = new List<(string Name, double Setups, double Messages)>();
        foreach (var mode in new[] { PeerMode.Strict, PeerMode.Raw, PeerMode.MyChipsJs })
        {
            // Warm-up, then the measured run.
            await SetupsPerSecondAsync(mode, 50);
            await MessagesPerSecondAsync(mode, 50_000, null);
            rows.Add(($"C# -> C#, {mode}", await SetupsPerSecondAsync(mode, setups), await MedianAsync(() => MessagesPerSecondAsync(mode, messages, null))));
        }
        // What receipts cost: the same pairs with delivery = written (no R packets).
        rows.Add(("C# -> C#, Strict, Written", double.NaN, await MedianAsync(() => MessagesPerSecondAsync(PeerMode.Strict, messages, DeliveryMode.Written))));
        rows.Add(("C# -> C#, Raw, Written", double.NaN, await MedianAsync(() => MessagesPerSecondAsync(PeerMode.Raw, messages, DeliveryMode.Written))));
        if (withJavaScript)
        {
            // The JavaScript peer's strict profile: the specification's key order, no receipts negotiated.
            rows.Add(("C# -> JavaScript, Strict", await JsSetupsPerSecondAsync(PeerMode.Strict, setups), await MedianAsync(() => JsMessagesPerSecondAsync(PeerMode.Strict, messages))));
            rows.Add(("C# -> JavaScript, MyChipsJs", await JsSetupsPerSecondAsync(PeerMode.MyChipsJs, setups), await MedianAsync(() => JsMessagesPerSecondAsync(PeerMode.MyChipsJs, messages))));
            rows.Add(("C# -> JavaScript, Raw", await JsSetupsPerSecondAsync(PeerMode.Raw, setups), await MedianAsync(() => JsMessagesPerSecondAsync(PeerMode.Raw, messages))));
            foreach (var mode in new[] { "encrypted", "raw" })
            {
                var runs = new List<(double Setups, double Messages)>();
                for (var i = 0; i < Repeats; i++) runs.Add(await JsBaselineAsync(mode, messages));
                rows.Add(($"JavaScript -> JavaScript, {mode}", Median(runs.Select(r => r.Setups)), Median(runs.Select(r => r.Messages))));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| pair, mode | N+KK setups/s | T messages/s (250 B) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, s, m) in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {(double.IsNaN(s) ? "" : s.ToString("F0", CultureInfo.InvariantCulture))} | {m:F0} |"));
        var strict = rows[0];
        var raw = rows[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"strict/raw messages: {strict.Messages / raw.Messages:F2} (goal >= 0.8)"));
        if (withJavaScript)
        {
            var js = rows.First(r => r.Name == "JavaScript -> JavaScript, encrypted");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"strict C#/JavaScript messages: {strict.Messages / js.Messages:F2} (goal >= 3)"));
        }
    }

    // A T-message run lasts a fraction of a second: a scheduling hiccup on a shared machine moves one run by
    // tens of percent, so every messages/s figure is the median of a few runs.
    private const int Repeats = 3;

    private static async Task<double> MedianAsync(Func<Task<double>> measure)
    {
        var runs = new List<double>();
        for (var i = 0; i < Repeats; i++) runs.Add(await measure());
        return Median(runs);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static async Task<(PeerNode A, PeerNode B, AgentKey KeyA, AgentKey KeyB)> PairAsync(PeerMode mode, DeliveryMode? delivery = null)
    {
        var keyA = AgentKey.Generate("127.0.0.1", 0);
        var keyB = AgentKey.Generate("127.0.0.1", 0);
        var keysA = new InMemoryKeyProvider();
        var keysB = new InMemoryKeyProvider();
        var a = new PeerNode(new PeerNodeOptions { LocalKey = keyA, Mode = mode, Delivery = delivery, BlockList = BlockListOptions.Disabled }, keysA);
        var b = new PeerNode(new PeerNodeOptions { LocalKey = keyB, Mode = mode, Delivery = delivery, BlockList = BlockListOptions.Disabled }, keysB);
        await a.StartAsync();
        await b.StartAsync();
        keysA.Add(AgentRecord.FromId(b.Agent, "127.0.0.1", b.LocalEndPoint.Port));
        keysB.Add(AgentRecord.FromId(a.Agent, "127.0.0.1", a.LocalEndPoint.Port));
        return (a, b, keyA, keyB);
    }

    /// <summary>Sequential: connect (N+K), wait for the delivery, close, wait for the close; repeat.</summary>
    private static async Task<double> SetupsPerSecondAsync(PeerMode mode, int count)
    {
        var (a, b, keyA, keyB) = await PairAsync(mode);
        try
        {
            var destination = new PeerDestination(b.Agent, "127.0.0.1", b.LocalEndPoint.Port);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                EventHandler<ConnectionStateChange> onClose = (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(); };
                a.ConnectionStateChanged += onClose;
                await a.SendAsync(destination, Message).WaitAsync(Deadline);
                await b.Messages.ReadAsync().AsTask().WaitAsync(Deadline);
                a.Disconnect(b.Agent);
                await closed.Task.WaitAsync(Deadline);
                a.ConnectionStateChanged -= onClose;
            }
            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            keyA.Dispose();
            keyB.Dispose();
        }
    }

    /// <summary>All messages sent at once on one open connection; timed until the receiver has them all.</summary>
    private static async Task<double> MessagesPerSecondAsync(PeerMode mode, int count, DeliveryMode? delivery)
    {
        var (a, b, keyA, keyB) = await PairAsync(mode, delivery);
        try
        {
            var destination = new PeerDestination(b.Agent, "127.0.0.1", b.LocalEndPoint.Port);
            await a.SendAsync(destination, Message).WaitAsync(Deadline);
            await b.Messages.ReadAsync().AsTask().WaitAsync(Deadline);
            var received = Task.Run(async () =>
            {
                for (var i = 0; i < count; i++) await b.Messages.ReadAsync();
            });
            var clock = Stopwatch.StartNew();
            var sends = new Task<DeliveryReceipt>[count];
            for (var i = 0; i < count; i++) sends[i] = a.SendAsync(destination, Message);
            await received.WaitAsync(Deadline);
            var seconds = clock.Elapsed.TotalSeconds;
            await Task.WhenAll(sends).WaitAsync(Deadline);
            return count / seconds;
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            keyA.Dispose();
            keyB.Dispose();
        }
    }

    private static async Task<double> JsSetupsPerSecondAsync(PeerMode mode, int count)
    {
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Quiet = true, Mode = JsMode(mode) });
        using var key = AgentKey.Generate("127.0.0.1", 0);
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, Delivery = DeliveryMode.Written });
        await node.StartAsync();
        var destination = new PeerDestination(AgentId.Parse(js.Agent), "127.0.0.1", js.Port!.Value);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<ConnectionStateChange> onClose = (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(); };
            node.ConnectionStateChanged += onClose;
            // Written delivery of the K message completes when A arrives: the handshake is done.
            await node.SendAsync(destination, Message).WaitAsync(Deadline);
            node.Disconnect(destination.Agent);
            await closed.Task.WaitAsync(Deadline);
            node.ConnectionStateChanged -= onClose;
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> JsMessagesPerSecondAsync(PeerMode mode, int count)
    {
        await using var js = await JsPeerProcess.StartAsync(new JsPeerOptions { Listen = 0, Quiet = true, Mode = JsMode(mode) });
        using var key = AgentKey.Generate("127.0.0.1", 0);
        await using var node = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode, Delivery = DeliveryMode.Written });
        await node.StartAsync();
        var destination = new PeerDestination(AgentId.Parse(js.Agent), "127.0.0.1", js.Port!.Value);
        await node.SendAsync(destination, Message).WaitAsync(Deadline);
        var clock = Stopwatch.StartNew();
        var sends = new Task<DeliveryReceipt>[count];
        for (var i = 0; i < count; i++) sends[i] = node.SendAsync(destination, Message);
        await Task.WhenAll(sends).WaitAsync(Deadline);
        await js.WaitForReceivedCountAsync(count + 1, Deadline);
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The interoperability peer's profile that speaks the wire of a C# mode.</summary>
    private static string JsMode(PeerMode mode) => mode switch
    {
        PeerMode.Raw => "raw",
        PeerMode.Strict => "strict",
        _ => "encrypted",
    };

    /// <summary>tests/interop-node/baseline.js: two JavaScript peers, setups and messages.</summary>
    private static async Task<(double Setups, double Messages)> JsBaselineAsync(string mode, int messages)
    {
        var result = await NodePeer.RunAsync(["baseline.js", mode, messages.ToString(CultureInfo.InvariantCulture)], Deadline);
        var text = result.StandardOutput;
        double After(string label)
        {
            var at = text.IndexOf(label, StringComparison.Ordinal) + label.Length;
            var end = text.IndexOfAny([';', '\n'], at);
            return double.Parse(text[at..(end < 0 ? text.Length : end)].Trim(), CultureInfo.InvariantCulture);
        }
        return (After("setups/s (sequential, stdio-driven)"), After("one connection)"));
    }
}
