using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Benchmarks.Peers;

/// <summary>
/// The T-message case of the load tool alone, repeated with the modes interleaved, for profiling: messages per
/// second, process CPU time and managed allocations per message, and the frames each side wrote.
/// </summary>
public static class PeerThroughput
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private static readonly byte[] Message = Encoding.UTF8.GetBytes($$"""{"payload":"{{new string('p', 236)}}"}""");

    public static async Task RunAsync(int messages, int repeats, PeerMode? only = null)
    {
        var cases = new (PeerMode Mode, DeliveryMode Delivery)[]
        {
            (PeerMode.Strict, DeliveryMode.Confirmed), (PeerMode.Raw, DeliveryMode.Confirmed),
            (PeerMode.Strict, DeliveryMode.Written), (PeerMode.Raw, DeliveryMode.Written),
        };
        if (only is { } alone)
        {
            // One mode alone, for a profiler.
            for (var r = 0; r < repeats; r++) await MeasureAsync(alone, DeliveryMode.Confirmed, messages);
            return;
        }
        foreach (var (mode, delivery) in cases) await MeasureAsync(mode, delivery, 5_000);
        var results = cases.ToDictionary(c => c, _ => new List<Result>());
        for (var r = 0; r < repeats; r++)
        {
            foreach (var c in cases) results[c].Add(await MeasureAsync(c.Mode, c.Delivery, messages));
        }
        Console.WriteLine($"{messages} messages of {Message.Length} bytes, {repeats} interleaved runs, medians; server GC: {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine("| mode, delivery | messages/s | CPU us/message | allocated B/message | T or B frames per write batch | R frames |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (c, list) in results)
        {
            double Median(Func<Result, double> f) => list.Select(f).Order().ElementAt(list.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Mode}, {c.Delivery} | {Median(x => x.PerSecond):F0} | {Median(x => x.CpuMicroseconds):F2} | {Median(x => x.AllocatedBytes):F0} | {Median(x => x.FramesPerFlush):F1} | {Median(x => x.Receipts):F0} |"));
        }
        var strict = results[cases[0]].Select(x => x.PerSecond).Order().ElementAt(repeats / 2);
        var raw = results[cases[1]].Select(x => x.PerSecond).Order().ElementAt(repeats / 2);
        var ratios = results[cases[0]].Zip(results[cases[1]], (s, w) => s.PerSecond / w.PerSecond).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"strict/raw (Confirmed): median of medians {strict / raw:F2}; per run {string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}"));
    }

    private readonly record struct Result(double PerSecond, double CpuMicroseconds, double AllocatedBytes, double FramesPerFlush, double Receipts);

    /// <summary>One measurement's messages per second, for tools that compare other paths beside this one.</summary>
    internal static async Task<double> MessagesPerSecondAsync(PeerMode mode, DeliveryMode delivery, int count) =>
        (await MeasureAsync(mode, delivery, count)).PerSecond;

    private static async Task<Result> MeasureAsync(PeerMode mode, DeliveryMode delivery, int count)
    {
        long transports = 0, receipts = 0;
        using var keyA = AgentKey.Generate("127.0.0.1", 0);
        using var keyB = AgentKey.Generate("127.0.0.1", 0);
        var keysA = new InMemoryKeyProvider();
        var keysB = new InMemoryKeyProvider();
        void Observe(PacketTrace t)
        {
            if (!t.Outgoing) return;
            if (t.Type is PacketType.Transport or PacketType.Batch) Interlocked.Increment(ref transports);
            else if (t.Type == PacketType.Receipt) Interlocked.Increment(ref receipts);
        }
        await using var a = new PeerNode(new PeerNodeOptions { LocalKey = keyA, Mode = mode, Delivery = delivery, BlockList = BlockListOptions.Disabled, PacketObserver = Observe }, keysA);
        await using var b = new PeerNode(new PeerNodeOptions { LocalKey = keyB, Mode = mode, Delivery = delivery, BlockList = BlockListOptions.Disabled, PacketObserver = Observe }, keysB);
        await a.StartAsync();
        await b.StartAsync();
        keysA.Add(AgentRecord.FromId(b.Agent, "127.0.0.1", b.LocalEndPoint.Port));
        keysB.Add(AgentRecord.FromId(a.Agent, "127.0.0.1", a.LocalEndPoint.Port));
        var destination = new PeerDestination(b.Agent, "127.0.0.1", b.LocalEndPoint.Port);
        await a.SendAsync(destination, Message).WaitAsync(Deadline);
        await b.Messages.ReadAsync().AsTask().WaitAsync(Deadline);
        long batches = 0;
        using var listener = new MeterListener();
        // The write loop reports each batch's written messages once: its measurements count the batches.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "mychips.peer.messages.sent") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (value > 0) Interlocked.Increment(ref batches);
        });
        listener.Start();
        Interlocked.Exchange(ref transports, 0);
        Interlocked.Exchange(ref receipts, 0);
        var received = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++) await b.Messages.ReadAsync();
        });
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var sends = new Task<DeliveryReceipt>[count];
        for (var i = 0; i < count; i++) sends[i] = a.SendAsync(destination, Message);
        await received.WaitAsync(Deadline);
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(sends).WaitAsync(Deadline);
        process.Refresh();
        var cpuUs = (process.TotalProcessorTime - cpu).TotalMicroseconds / count;
        var bytes = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count;
        return new Result(count / seconds, cpuUs, bytes, (double)Interlocked.Read(ref transports) / Math.Max(1, Interlocked.Read(ref batches)), Interlocked.Read(ref receipts));
    }
}
