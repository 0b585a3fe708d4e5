using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Protocol.Overlay.Routing;

/// <summary>Asks one peer for the peers it knows nearest to a target; null when the peer did not answer.</summary>
public delegate ValueTask<IReadOnlyList<PeerInfo>?> FindNodeQuery(PeerInfo peer, NodeId target, CancellationToken cancellationToken);

/// <summary>The end of a lookup.</summary>
/// <param name="Closest">The k nearest peers that answered, nearest first.</param>
/// <param name="Rounds">Rounds of parallel queries: the round trips the lookup took one after another.</param>
/// <param name="Queries">FIND_NODE requests sent.</param>
/// <param name="Failures">Requests that got no answer.</param>
/// <param name="TargetFoundInRound">For a target that is a node: the round whose answers named it (0: already known); null if none did.</param>
public sealed record LookupResult(NodeId Target, IReadOnlyList<PeerInfo> Closest, int Rounds, int Queries, int Failures, int? TargetFoundInRound);

/// <summary>
/// Kademlia's iterative lookup in rounds: each round asks the alpha nearest peers not asked yet, all at once;
/// a round that brings nothing nearer asks every one of the k nearest not asked yet; the lookup ends when the
/// k nearest peers it knows have all answered.
/// </summary>
public static class IterativeLookup
{
    private enum State { Unasked, Answered, Failed }

    public static async Task<LookupResult> RunAsync(
        NodeId self, NodeId target, IEnumerable<PeerInfo> seeds, FindNodeQuery query, int k, int alpha, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 1);
        var known = new Dictionary<NodeId, (PeerInfo Peer, State State)>();
        var order = new List<PeerInfo>();
        int? found = null;
        foreach (var seed in seeds) Learn(seed, 0);
        var (rounds, queries, failures) = (0, 0, 0);
        var best = order.Count > 0 ? order[0].Id.Xor(target) : default;
        var stalled = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var nearest = order.Where(p => known[p.Id].State != State.Failed).Take(k).ToList();
            var unasked = nearest.Where(p => known[p.Id].State == State.Unasked).ToList();
            if (unasked.Count == 0) break;
            var batch = stalled ? unasked : unasked.Take(alpha).ToList();
            rounds++;
            queries += batch.Count;
            var answers = await Task.WhenAll(batch.Select(p => query(p, target, cancellationToken).AsTask())).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                var peer = batch[i];
                if (answers[i] is not { } peers)
                {
                    failures++;
                    known[peer.Id] = (peer, State.Failed);
                    continue;
                }
                known[peer.Id] = (peer, State.Answered);
                foreach (var learned in peers) Learn(learned, rounds);
            }
            order.Sort((a, b) => NodeId.CompareDistance(target, a.Id, b.Id));
            var nowBest = order.FirstOrDefault(p => known[p.Id].State != State.Failed)?.Id.Xor(target);
            stalled = nowBest is null || nowBest.Value >= best;
            if (nowBest is { } improved && improved < best) best = improved;
        }
        var closest = order.Where(p => known[p.Id].State == State.Answered).Take(k).ToList();
        return new LookupResult(target, closest, rounds, queries, failures, found);

        void Learn(PeerInfo peer, int round)
        {
            if (peer.Id == self || known.ContainsKey(peer.Id)) return;
            known[peer.Id] = (peer, State.Unasked);
            order.Add(peer);
            if (peer.Id == target) found ??= round;
        }
    }
}
