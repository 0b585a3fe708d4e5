using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Benchmarks.Peers;

/// <summary>
/// Memory per idle open connection: a responder node in this process, the initiators in a child process
/// (so only the responder's side is counted). Each initiator is its own agent and does a real N+K (+R)
/// handshake, then stays silent. Reports managed heap, RSS and memory mappings per connection.
/// </summary>
public static class IdleConnectionMemory
{
    /// <param name="counts">Cumulative totals of idle connections to measure at, e.g. 1,000 then 10,000.</param>
    public static async Task RunAsync(PeerMode mode, int[] counts)
    {
        using var key = AgentKey.Generate("127.0.0.1", 0);
        await using var node = new PeerNode(new PeerNodeOptions
        {
            LocalKey = key,
            Mode = mode,
            IdleTimeout = Timeout.InfiniteTimeSpan,
            HandshakeTimeout = TimeSpan.FromMinutes(5),
            BlockList = BlockListOptions.Disabled,
            // Every initiator comes from 127.0.0.1, up to 64 handshakes at once: the per-address defaults would refuse them.
            Limits = new PeerLimits
            {
                MaxConnections = counts.Max() + 1_000,
                MaxConnectionsPerAddress = counts.Max() + 1_000,
                MaxPendingHandshakesPerAddress = 128,
            },
        }, new AnyAgentKeyProvider());
        await node.StartAsync();
        var opened = 0;
        node.ConnectionStateChanged += (_, s) => { if (s.State == ConnectionState.Open) Interlocked.Increment(ref opened); };
        _ = Task.Run(async () => { await foreach (var _ in node.ReadAllAsync()) { } });

        // Warm up every code path once so JIT and pools are in the baseline.
        const int total = 50;
        using (var warmUp = await OpenAsync(node, mode, total, () => Volatile.Read(ref opened)))
        {
            warmUp.Kill(entireProcessTree: true);
        }
        await WaitUntilAsync(() => node.ConnectionCount == 0);
        Console.WriteLine($"mode {mode}: responder in process {Environment.ProcessId}, initiators in child processes");
        Console.WriteLine("| idle connections | handshakes/s while opening | responder CPU / handshake | managed heap / conn | RSS / conn | mappings / conn |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        // Counts are cumulative: open up to 1,000, measure, then on to 10,000, measure, each against the same baseline.
        var baseline = Measure();
        var clients = new List<Process>();
        var open = 0;
        var lastCpuPerHandshake = 0.0;
        try
        {
            foreach (var count in counts)
            {
                var opening = Stopwatch.StartNew();
                var cpu = CpuTime();
                clients.Add(await OpenAsync(node, mode, count - open, () => Volatile.Read(ref opened) - total - open));
                var rate = (count - open) / opening.Elapsed.TotalSeconds;
                var cpuPerHandshake = (CpuTime() - cpu).TotalMicroseconds / (count - open);
                lastCpuPerHandshake = cpuPerHandshake;
                open = count;
                var now = Measure();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {count} | {rate:F0} | {cpuPerHandshake:F0} us | {(now.Heap - baseline.Heap) / (double)count:F0} B | {(now.Rss - baseline.Rss) / (double)count:F0} B | {(now.Maps - baseline.Maps) / (double)count:F3} |"));
            }
            Console.WriteLine(await NewPeerDeliversAsync(node, mode, counts.Max()));
            if (mode != PeerMode.Raw) Console.WriteLine(HandshakeCostAgainstX25519(lastCpuPerHandshake));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Kill(entireProcessTree: true);
                client.Dispose();
            }
        }
    }

    /// <summary>While every idle connection is still open: does a new peer still connect, and its message arrive?</summary>
    private static async Task<string> NewPeerDeliversAsync(PeerNode responder, PeerMode mode, int open)
    {
        using var key = AgentKey.Generate("127.0.0.1", 0);
        await using var peer = new PeerNode(new PeerNodeOptions { LocalKey = key, Mode = mode });
        await peer.StartAsync();
        var clock = Stopwatch.StartNew();
        var receipt = await peer.SendAsync(new PeerDestination(responder.Agent, "127.0.0.1", responder.LocalEndPoint.Port),
            """{"target":"tally","action":"late"}"""u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(30));
        return string.Create(CultureInfo.InvariantCulture,
            $"with {open:N0} idle connections open, a new peer connected and its message was delivered ({receipt.Mode}) in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task<Process> OpenAsync(PeerNode node, PeerMode mode, int count, Func<int> openedSoFar)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(IdleConnectionMemory).Assembly.Location);
        foreach (var a in new[] { "peer-memory-clients", node.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), node.Agent.ToString(), mode.ToString(), count.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        await WaitUntilAsync(() => openedSoFar() >= count);
        // Let the last receipts and deliveries settle before measuring.
        await WaitUntilAsync(() => node.ConnectionCount >= count);
        return process;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("connections did not open or close in time");
            await Task.Delay(20);
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// The X25519 work the responder cannot avoid in one N+KK handshake, done by itself in this process right
    /// after: N's es, then KK's ephemeral key pair and its es, ss, ee and se (1 key pair, 5 DH). The node's whole
    /// CPU per handshake (sockets, frames, the key lookup, the replay check, the AEADs, the first receipt) is
    /// compared with it.
    /// </summary>
    private static string HandshakeCostAgainstX25519(double nodeMicroseconds)
    {
        const int rounds = 2_000;
        Span<byte> privateKey = stackalloc byte[32], publicKey = stackalloc byte[32], peer = stackalloc byte[32], shared = stackalloc byte[32];
        global::MyChips.Protocol.Noise.X25519Keys.GenerateKeyPair(privateKey, peer);
        var cpu = CpuTime();
        for (var i = 0; i < rounds; i++)
        {
            global::MyChips.Protocol.Noise.X25519Keys.GenerateKeyPair(privateKey, publicKey);
            for (var dh = 0; dh < 5; dh++) global::MyChips.Protocol.Noise.X25519Keys.Agree(privateKey, peer, shared);
        }
        var x25519 = (CpuTime() - cpu).TotalMicroseconds / rounds;
        return string.Create(CultureInfo.InvariantCulture,
            $"X25519 work of a responder's N+KK handshake (1 key pair, 5 DH): {x25519:F0} us of CPU; the node's whole responder CPU per handshake, at the last count: {nodeMicroseconds:F0} us, {nodeMicroseconds / x25519:F2} times it (goal <= 1.3)");
    }

    private static (long Heap, long Rss, long Maps) Measure()
    {
        // Aggressive also gives back the GC heap's free committed space, so RSS shows what connections keep, not GC slack.
        for (var i = 0; i < 3; i++) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        long rss = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        var maps = File.ReadLines("/proc/self/maps").LongCount();
        return (heap, rss, maps);
    }

    /// <summary>The child process: opens the connections, then waits for its stdin to close.</summary>
    public static async Task RunClientsAsync(int port, string agent, PeerMode mode, int count)
    {
        var responder = AgentId.Parse(agent);
        var remoteStatic = mode == PeerMode.Raw ? [] : NoiseStaticKey.FromAgent(responder);
        var sockets = new List<Socket>(count);
        using var throttle = new SemaphoreSlim(64);
        var tasks = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await throttle.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var socket = await OpenOneAsync(port, remoteStatic, mode);
                    lock (sockets) sockets.Add(socket);
                }
                finally
                {
                    throttle.Release();
                }
            }));
        }
        await Task.WhenAll(tasks);
        // Hold the connections until the parent closes our stdin (or kills us).
        await Console.In.ReadToEndAsync();
        foreach (var socket in sockets) socket.Dispose();
    }

    private static async Task<Socket> OpenOneAsync(int port, byte[] remoteStatic, PeerMode mode)
    {
        using var key = AgentKey.Generate("127.0.0.1", 1);
        var options = PeerNoise.Options(new PeerNodeOptions { LocalKey = key, Mode = mode });
        using var noise = new NoiseDriver(MyChipsPeerDescription.Instance, ConnectionRole.Initiator, options, remoteStatic);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var writer = new ArrayBufferWriter<byte>();
        Write(writer, noise, PacketType.Declare, AgentIdCodec.ToBytes(key.Agent.ToString()));
        Write(writer, noise, PacketType.Knock, """{"hello":true}"""u8);
        await socket.SendAsync(writer.WrittenMemory);

        var header = new byte[5];
        await ReadExactlyAsync(socket, header);
        var ack = new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
        await ReadExactlyAsync(socket, ack);
        if (header[4] != (byte)PacketType.Ack || !noise.TryOpen(PeerPackets.Of(PacketType.Ack), new ReadOnlySequence<byte>(ack), out _, out _))
            throw new InvalidOperationException("no A");
        if (mode == PeerMode.Strict)
        {
            // The key confirmation a strict responder waits for.
            writer.Clear();
            Write(writer, noise, PacketType.Receipt, new byte[8]);
            await socket.SendAsync(writer.WrittenMemory);
        }
        return socket;
    }

    /// <summary>One frame, sealed as the spec declares its packet.</summary>
    private static void Write(ArrayBufferWriter<byte> writer, NoiseDriver noise, PacketType type, ReadOnlySpan<byte> payload)
    {
        var packet = PeerPackets.Of(type);
        var body = FrameCodec.BeginFrame(writer, type, noise.GetBodyLength(packet, payload.Length));
        FrameCodec.CompleteFrame(writer, noise.Seal(packet, payload, body));
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        for (var offset = 0; offset < buffer.Length;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(offset));
            if (read == 0) throw new IOException("closed");
            offset += read;
        }
    }

    /// <summary>Knows every agent, with the key its id names: for load runs only.</summary>
    private sealed class AnyAgentKeyProvider : IKeyProvider
    {
        public ValueTask<AgentRecord?> FindAgentAsync(AgentId agent, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<AgentRecord?>(AgentRecord.FromId(agent, "127.0.0.1", 1));
    }
}
