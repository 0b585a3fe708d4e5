using System.Diagnostics;
using System.Globalization;
using System.Net;
using MyChips.Protocol.Benchmarks.Peers;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Benchmarks.Engine;

/// <summary>
/// The runtime's connection engine on its own: a one-way stream of 250-byte messages over Noise NN (or in the clear)
/// between two nodes on loopback, sent packet by packet or in session write turns, and received through a machine
/// step or read by the session, with the MyCHIPs peer's own connection (Written delivery, so neither side waits for
/// receipts) beside it, interleaved in one run.
/// </summary>
public static class EngineThroughput
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private static readonly byte[] Message = new byte[250];

    private enum Path { PerPacket, Turns }

    public static async Task RunAsync(int messages, int repeats)
    {
        var cases = new List<(string Name, Func<int, Task<double>> Measure)>();
        foreach (var encrypted in new[] { true, false })
        {
            foreach (var path in new[] { Path.PerPacket, Path.Turns })
            {
                foreach (var readsItself in new[] { false, true })
                {
                    var name = $"engine, {(encrypted ? "Noise NN" : "clear")}, {(path == Path.PerPacket ? "SendAsync per message" : "write turns")}, " +
                        (readsItself ? "read by the session" : "a machine step per message");
                    cases.Add((name, n => MeasureAsync(n, path, encrypted, readsItself)));
                }
            }
        }
        cases.Add(("MyCHIPs peer connection, Strict, Written", n => PeerThroughput.MessagesPerSecondAsync(PeerMode.Strict, DeliveryMode.Written, n)));
        cases.Add(("MyCHIPs peer connection, Raw, Written", n => PeerThroughput.MessagesPerSecondAsync(PeerMode.Raw, DeliveryMode.Written, n)));
        foreach (var (_, measure) in cases) await measure(5_000); // warm up
        var results = cases.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < repeats; r++)
            for (var i = 0; i < cases.Count; i++) results[i].Add(await cases[i].Measure(messages));
        Console.WriteLine($"{messages} one-way messages of {Message.Length} bytes on one connection, {repeats} interleaved runs, medians");
        Console.WriteLine("| path | messages/s |");
        Console.WriteLine("|---|---:|");
        for (var i = 0; i < cases.Count; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cases[i].Name} | {results[i].Order().ElementAt(repeats / 2):F0} |"));
    }

    private static async Task<double> MeasureAsync(int count, Path path, bool encrypted, bool readsItself)
    {
        var options = new ConnectionOptions { Encrypted = encrypted };
        await using var receiving = new ProtocolNode(StreamNnDescription.Instance, options);
        await using var sending = new ProtocolNode(StreamNnDescription.Instance, options);
        var receiver = new StreamReceiver(count, readsItself);
        var endPoint = receiving.Listen(new IPEndPoint(IPAddress.Loopback, 0), () => receiver);
        var sender = new StreamSender();
        var connection = await sending.ConnectAsync(endPoint, sender).WaitAsync(Deadline);
        await sender.Opened.WaitAsync(Deadline);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (path == Path.PerPacket) await connection.SendDataAsync(Message);
            else sender.Enqueue(Message);
        }
        await receiver.Done.WaitAsync(Deadline);
        return count / clock.Elapsed.TotalSeconds;
    }
}
