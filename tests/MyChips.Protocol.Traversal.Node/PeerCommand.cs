using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Traversal.Calls;
using MyChips.Protocol.Traversal.Direct;
using MyChips.Protocol.Traversal.Punching;
using MyChips.Protocol.Traversal.Rendezvous;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>
/// One peer of the bench: registers at the rendezvous server, punches (or falls back to the relay) towards the other
/// peer, opens the direct channel, and runs a call: the caller sends the impaired tone and then a burst of timed
/// datagrams; the callee checks the tone, counts what the replay window refused, and reports rate and latency.
/// </summary>
public static class PeerCommand
{
    public static async Task<int> RunAsync(PeerArguments args)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(args.Bind, 0));
        await using var client = await RendezvousClient.ConnectAsync(args.Server, args.Name, udp, new RendezvousClientOptions { StaticPrivateKey = NewKey(), LocalAddress = args.Bind });
        Console.WriteLine($"registered {client.Plan.ObservedTcp} {client.Plan.ObservedUdp}");
        var puncher = new HolePuncher(new HolePunchOptions { AttemptTimeout = args.AttemptTimeout });
        var caller = args.Connect is not null;
        var peer = args.Connect ?? await client.Requests.ReadAsync();
        var punch = caller
            ? await puncher.InitiateAsync(client.PlanFor(peer), client.SignallingTo(peer), client.Relay)
            : await puncher.RespondAsync(client.PlanFor(peer), client.SignallingTo(peer), client.Relay);
        await CallAsync(punch, caller, udp, args.ToneFrames, args.RateDatagrams);
        return 0;
    }

    /// <summary>Opens the direct channel over the punch's stream, runs the call, and prints the result line.</summary>
    public static async Task CallAsync(PunchResult punch, bool caller, Socket? udp, int toneFrames, int rateDatagrams)
    {
        await using var node = new ProtocolNode(DirectCallDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = NewKey() });
        var channel = DirectChannel.Start(node, punch, caller, udp);
        await channel.Opened;
        var call = caller ? await CallerAsync(channel, toneFrames, rateDatagrams) : await CalleeAsync(channel, toneFrames, rateDatagrams);
        var result = new PeerResult(punch.Method.ToString(), punch.IsDirect, punch.Attempts, punch.Elapsed.TotalMilliseconds, punch.UdpPeer is not null, call);
        Console.WriteLine("result " + JsonSerializer.Serialize(result));
    }

    private static async Task<CallReport?> CallerAsync(DirectChannel channel, int toneFrames, int rateDatagrams)
    {
        await using var call = await channel.CallAsync();
        var sealedTone = Tone.Frames(toneFrames).Select(frame => call.Seal(frame)).ToArray();
        // Paced, as a codec sends (faster than real time, so the bench stays short): a burst larger than the
        // receiver's socket buffer would measure that buffer, not the path.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        foreach (var index in Impairment.Schedule(toneFrames))
        {
            await call.SendSealedAsync(sealedTone[index]);
            await pace.WaitForNextTickAsync();
        }
        var timed = new byte[160];
        for (var i = 0; i < rateDatagrams; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(timed, Stopwatch.GetTimestamp());
            await call.SendAsync(timed);
            if (i % TimedPerTick == TimedPerTick - 1) await pace.WaitForNextTickAsync();
        }
        await channel.SendMessageAsync("sent");
        await channel.Endings.ReadAsync(); // the callee hangs up once it has judged everything
        return null;
    }

    private const int TimedPerTick = 5;

    private static async Task<CallReport> CalleeAsync(DirectChannel channel, int toneFrames, int rateDatagrams)
    {
        await using var call = await channel.IncomingCalls.ReadAsync();
        var tone = Tone.Frames(toneFrames);
        var expected = toneFrames - Impairment.DroppedCount(toneFrames) + rateDatagrams;
        var frames = new List<MediaFrame>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sent = channel.Messages.ReadAsync(deadline.Token).AsTask();
        while (frames.Count < expected)
        {
            var next = call.Received.ReadAsync(deadline.Token).AsTask();
            if (await Task.WhenAny(next, sent) == sent && !next.IsCompleted)
            {
                // Everything was sent: what has not arrived a moment later was lost on the way.
                try { frames.Add(await next.WaitAsync(TimeSpan.FromSeconds(2))); continue; }
                catch (TimeoutException) { break; }
            }
            frames.Add(await next);
        }
        await channel.HangUpAsync();
        var toneReceived = frames.Where(f => f.Counter < (ulong)toneFrames).ToList();
        var timed = frames.Where(f => f.Counter >= (ulong)toneFrames).ToList();
        var latencies = timed.Select(f => Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(f.Payload), f.ArrivedAt).TotalMilliseconds).Order().ToArray();
        var span = timed.Count > 1 ? Stopwatch.GetElapsedTime(timed[0].ArrivedAt, timed[^1].ArrivedAt).TotalSeconds : 0;
        var reordered = toneReceived.Where((f, i) => i > 0 && f.Counter < toneReceived[i - 1].Counter).Count();
        return new CallReport(
            call.IsUdp,
            toneReceived.Count,
            toneReceived.All(f => f.Payload.AsSpan().SequenceEqual(tone[f.Counter])),
            call.Statistics.Replayed,
            call.Statistics.Forged,
            reordered,
            timed.Count,
            span > 0 ? timed.Count / span : 0,
            latencies.Length > 0 ? latencies[latencies.Length / 2] : 0,
            latencies.Length > 0 ? latencies[(int)(latencies.Length * 0.99)] : 0);
    }

    internal static byte[] NewKey()
    {
        var (privateKey, publicKey) = (new byte[32], new byte[32]);
        X25519Keys.GenerateKeyPair(privateKey, publicKey);
        return privateKey;
    }
}

/// <summary>What one peer reports: how it connected, and for the callee, what the call delivered.</summary>
public sealed record PeerResult(string Method, bool Direct, int Attempts, double ConnectMs, bool UdpPath, CallReport? Call);

/// <summary>The callee's view of the call: tone frames accepted and intact, replays refused, reordering seen, and the timed burst's rate and latency.</summary>
public sealed record CallReport(bool Udp, int ToneAccepted, bool ToneIntact, long Replayed, long Forged, int Reordered, int TimedAccepted, double DatagramsPerSecond, double MedianLatencyMs, double P99LatencyMs);

public sealed record PeerArguments(string Name, IPEndPoint Server, IPAddress Bind, string? Connect, int ToneFrames, int RateDatagrams, TimeSpan AttemptTimeout);
