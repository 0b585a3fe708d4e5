using System.Diagnostics;
using System.Globalization;
using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Demo;

/// <summary>
/// Two sites on loopback with in-memory stores: a first-time ticket connection (I, Noise IK), then a
/// later connection (N+K, Noise N then KK), messages both ways, with a trace of packets and states.
/// </summary>
public static class PeerDemo
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(TextWriter output, PeerMode mode = PeerMode.Strict)
    {
        var clock = Stopwatch.StartNew();
        var gate = new Lock();
        void Trace(string line)
        {
            lock (gate) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMilliseconds,9:F1} ms  {line}"));
        }

        using var alphaKey = AgentKey.Generate("127.0.0.1", 0);
        using var bravoKey = AgentKey.Generate("127.0.0.1", 0);
        var alphaKeys = new InMemoryKeyProvider();
        var bravoKeys = new InMemoryKeyProvider();
        var bravoTickets = new InMemoryTicketStore();
        await using var alpha = new PeerNode(Options(alphaKey, mode, "alpha", Trace), alphaKeys);
        await using var bravo = new PeerNode(Options(bravoKey, mode, "bravo", Trace), bravoKeys, bravoTickets);
        Observe(alpha, "alpha", Trace);
        Observe(bravo, "bravo", Trace);
        await alpha.StartAsync();
        await bravo.StartAsync();
        output.WriteLine($"mode {mode}; alpha {alpha.Agent} on {alpha.LocalEndPoint}; bravo {bravo.Agent} on {bravo.LocalEndPoint}");
        var toBravo = new PeerDestination(bravo.Agent, "127.0.0.1", bravo.LocalEndPoint.Port);
        var toAlpha = new PeerDestination(alpha.Agent, "127.0.0.1", alpha.LocalEndPoint.Port);

        try
        {
            output.WriteLine("-- 1. first-time connection: alpha presents bravo's ticket (I, Noise IK)");
            var ticket = await bravoTickets.IssueAsync(new TicketRequest(new ChipAddress("bravo_user", bravo.Agent, "127.0.0.1", bravo.LocalEndPoint.Port), TimeSpan.FromHours(1)));
            await Send(alpha, toBravo, """{"target":"tally","action":"ticket","to":{"cuid":"bravo_user"}}""", ticket, Trace);
            await Expect(bravo, "bravo", "ticket", Trace);
            await Send(bravo, toAlpha, """{"target":"tally","action":"accept"}""", null, Trace);
            await Expect(alpha, "alpha", "accept", Trace);

            output.WriteLine("-- 2. the tally is signed: each site now knows the other's agent key");
            alphaKeys.Add(AgentRecord.FromId(bravo.Agent, "127.0.0.1", bravo.LocalEndPoint.Port));
            bravoKeys.Add(AgentRecord.FromId(alpha.Agent, "127.0.0.1", alpha.LocalEndPoint.Port));
            alpha.Disconnect(bravo.Agent);
            await WaitUntil(() => alpha.ConnectionCount == 0 && bravo.ConnectionCount == 0);

            output.WriteLine("-- 3. later connection: N and K back to back (Noise N, then KK)");
            await Send(alpha, toBravo, """{"target":"chit","action":"offer","units":100}""", null, Trace);
            await Expect(bravo, "bravo", "offer", Trace);
            await Send(bravo, toAlpha, """{"target":"chit","action":"good","units":100}""", null, Trace);
            await Expect(alpha, "alpha", "good", Trace);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo: ok, {clock.Elapsed.TotalMilliseconds:F1} ms"));
            return 0;
        }
        catch (Exception e) when (e is DeliveryFailedException or TimeoutException or OperationCanceledException)
        {
            output.WriteLine($"demo: FAILED: {e.Message}");
            return 1;
        }
    }

    private static PeerNodeOptions Options(AgentKey key, PeerMode mode, string name, Action<string> trace) => new()
    {
        LocalKey = key,
        Mode = mode,
        PacketObserver = p => trace($"{name}#{p.ConnectionId} {(p.Outgoing ? "->" : "<-")} {(char)p.Type} {p.FrameLength,5} bytes"),
    };

    private static void Observe(PeerNode node, string name, Action<string> trace) =>
        node.ConnectionStateChanged += (_, s) => trace(
            $"{name}#{s.ConnectionId} {s.Direction.ToString().ToLowerInvariant()} {s.State}{(s.State == ConnectionState.Closed ? $" ({s.CloseReason})" : "")}");

    private static async Task Send(PeerNode from, PeerDestination to, string json, ConnectionTicket? ticket, Action<string> trace)
    {
        var receipt = await from.SendAsync(to, Encoding.UTF8.GetBytes(json), ticket).WaitAsync(Deadline);
        trace($"receipt: message {receipt.Sequence} on connection {receipt.ConnectionId} ({receipt.Mode})");
    }

    private static async Task Expect(PeerNode node, string name, string action, Action<string> trace)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var message = await node.Messages.ReadAsync(cts.Token);
        if (!message.JsonText.Contains(action, StringComparison.Ordinal))
            throw new TimeoutException($"{name} expected '{action}' and received {message.JsonText}");
        trace($"{name} received from {message.From.ToString()[..8]}…: {message.JsonText}");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > Deadline) throw new TimeoutException("connections did not close");
            await Task.Delay(5);
        }
    }
}
