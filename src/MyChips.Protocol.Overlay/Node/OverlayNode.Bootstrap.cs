using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

public sealed partial class OverlayNode
{
    /// <summary>
    /// Joins through the first entry point that answers, in order (names or addresses; names go through the
    /// transport's resolver). Throws <see cref="OverlayUnreachableException"/> with every reason if none does.
    /// </summary>
    public async Task<PeerInfo> JoinAnyAsync(IEnumerable<string> entryPoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryPoints);
        var reasons = new List<string>();
        foreach (var entry in entryPoints)
        {
            try
            {
                return await JoinAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            catch (OverlayUnreachableException e)
            {
                reasons.Add($"{entry}: {e.Message}");
            }
        }
        throw new OverlayUnreachableException(reasons.Count == 0 ? "no entry points were given" : "no entry point answered (" + string.Join("; ", reasons) + ")");
    }

    /// <summary>
    /// Checks each entry point (a connection and a ping) and gives the list back with every dead one replaced:
    /// by this node if it offers itself as an entry point and is not listed yet, else by a known node that does.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckEntryPointsAsync(IReadOnlyList<string> entryPoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryPoints);
        var result = new List<string>(entryPoints.Count);
        var dead = 0;
        foreach (var entry in entryPoints)
        {
            if (entry == _transport.LocalAddress || await AnswersAsync(entry, cancellationToken).ConfigureAwait(false)) result.Add(entry);
            else dead++;
        }
        var candidates = new List<string>();
        if ((Self.Flags & PeerFlags.EntryPoint) != 0 && Self.Address is { } mine) candidates.Add(mine);
        candidates.AddRange(Table.Closest(Identity.Id, int.MaxValue).Where(p => (p.Flags & PeerFlags.EntryPoint) != 0 && p.Address is not null).Select(p => p.Address!));
        foreach (var candidate in candidates.Distinct())
        {
            if (dead == 0) break;
            if (result.Contains(candidate)) continue;
            if (candidate != Self.Address && !await AnswersAsync(candidate, cancellationToken).ConfigureAwait(false)) continue;
            result.Add(candidate);
            dead--;
        }
        return result;
    }

    private async Task<bool> AnswersAsync(string address, CancellationToken cancellationToken)
    {
        try
        {
            var link = await _transport.ConnectAsync(address, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (link.ConfigureAwait(false)) await link.PingAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OverlayUnreachableException)
        {
            return false;
        }
    }
}
