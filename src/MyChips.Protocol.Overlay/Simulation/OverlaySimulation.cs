using System.Diagnostics;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Node;

namespace MyChips.Protocol.Overlay.Simulation;

/// <summary>What to simulate: how many nodes join through one entry point, then lookups and find-me deliveries after a share of the nodes died.</summary>
public sealed record SimulationSettings(int Nodes, int Lookups, int FindMes, double Churn, int Alpha = 3, int Seed = 1);

/// <summary>The figures of one simulation run.</summary>
public sealed record SimulationReport(
    SimulationSettings Settings,
    double Log2Nodes,
    double MeanHops,
    int P99Hops,
    int MaxHops,
    double MeanQueries,
    double LookupSuccess,
    double MeanTableSize,
    int MinTableSize,
    int MaxTableSize,
    double FindMeDelivery,
    double MeanFindMePackets,
    TimeSpan JoinTime,
    TimeSpan RunTime);

/// <summary>
/// Runs overlay nodes on an <see cref="InMemoryOverlayNetwork"/>: the same node code as on sockets, joined through
/// one entry point; then random lookups of live nodes' ids and find-me deliveries between random pairs of live
/// contacts, after a share of the nodes was killed (churn).
/// </summary>
public static class OverlaySimulation
{
    public static async Task<SimulationReport> RunAsync(SimulationSettings settings, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(settings.Seed);
        var network = new InMemoryOverlayNetwork();
        var options = new OverlayOptions { Alpha = settings.Alpha, FindMeTimeout = TimeSpan.FromMilliseconds(20), RecentLinks = 16 };
        var nodes = new List<OverlayNode>(settings.Nodes);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < settings.Nodes; i++)
        {
            var node = new OverlayNode(OverlayIdentity.Generate(), network.CreateTransport($"sim-{i}"), options);
            node.Start();
            if (i > 0) await node.JoinAsync("sim-0", cancellationToken).ConfigureAwait(false);
            nodes.Add(node);
            if (i % 1000 == 999) progress?.Invoke($"{i + 1} nodes joined");
        }
        var joinTime = clock.Elapsed;
        clock.Restart();

        var pairs = Enumerable.Range(0, settings.FindMes).Select(_ => (From: random.Next(nodes.Count), To: random.Next(nodes.Count))).Where(p => p.From != p.To).ToList();
        foreach (var (from, to) in pairs) Befriend(nodes[from], nodes[to], $"n{from}", $"n{to}");

        var dead = new HashSet<int>();
        while (dead.Count < (int)(settings.Churn * nodes.Count))
        {
            var victim = random.Next(1, nodes.Count);
            if (dead.Add(victim)) network.Kill($"sim-{victim}");
        }
        var alive = Enumerable.Range(0, nodes.Count).Where(i => !dead.Contains(i)).ToArray();

        var hops = new List<int>(settings.Lookups);
        long queries = 0;
        var lookupsRun = 0;
        while (lookupsRun < settings.Lookups)
        {
            var (from, to) = (alive[random.Next(alive.Length)], alive[random.Next(alive.Length)]);
            if (from == to) continue;
            lookupsRun++;
            var result = await nodes[from].LookupAsync(nodes[to].Identity.Id, cancellationToken).ConfigureAwait(false);
            queries += result.Queries;
            if (result.TargetFoundInRound is { } round && result.Closest.Count > 0 && result.Closest[0].Id == nodes[to].Identity.Id) hops.Add(round);
        }
        lookupsRun = Math.Max(1, lookupsRun);

        var delivered = 0;
        var attempted = 0;
        long findMePackets = 0;
        foreach (var (from, to) in pairs.Where(p => !dead.Contains(p.From) && !dead.Contains(p.To)))
        {
            attempted++;
            var before = network.Packets;
            try
            {
                var contact = nodes[from].Contacts.Find($"n{to}")!;
                await nodes[from].FindContactAsync(contact, cancellationToken).ConfigureAwait(false);
                await nodes[from].SendMessageAsync(contact.Name, "hello", cancellationToken).ConfigureAwait(false);
                if (nodes[to].Messages.TryRead(out var message) && message.From == $"n{from}") delivered++;
            }
            catch (Transport.OverlayUnreachableException)
            {
                // not delivered
            }
            findMePackets += network.Packets - before;
        }

        var tables = alive.Select(i => nodes[i].Table.Count).ToArray();
        hops.Sort();
        return new SimulationReport(
            settings,
            Math.Log2(settings.Nodes),
            hops.Count == 0 ? 0 : hops.Average(),
            hops.Count == 0 ? 0 : hops[Math.Min(hops.Count - 1, (int)Math.Ceiling(hops.Count * 0.99) - 1)],
            hops.Count == 0 ? 0 : hops[^1],
            (double)queries / lookupsRun,
            (double)hops.Count / lookupsRun,
            tables.Average(),
            tables.Min(),
            tables.Max(),
            attempted == 0 ? 0 : (double)delivered / attempted,
            attempted == 0 ? 0 : (double)findMePackets / attempted,
            joinTime,
            clock.Elapsed);
    }

    /// <summary>Two nodes exchange cards, each made for the other.</summary>
    public static void Befriend(OverlayNode a, OverlayNode b, string nameOfA, string nameOfB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var placeholder = new ContactCard(b.Identity.PublicKey, new byte[ContactTokens.MaxTokenLength]);
        var cardForB = a.Contacts.Add(nameOfB, placeholder, a.Identity.PublicKey);
        var cardForA = b.Contacts.Add(nameOfA, cardForB, b.Identity.PublicKey);
        a.Contacts.Add(nameOfB, cardForA, a.Identity.PublicKey);
    }
}
