using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Node;

public sealed partial class OverlayNode
{
    /// <summary>
    /// Keeps the node in shape until canceled: every <see cref="OverlayOptions.RefreshInterval"/> it refreshes the
    /// buckets no lookup touched, then checks the entry points and replaces dead ones, reporting each new list to
    /// <paramref name="entryPointsChanged"/>. A round that cannot reach anyone is skipped; the next one tries again.
    /// </summary>
    public async Task MaintainAsync(IReadOnlyList<string> entryPoints, Action<IReadOnlyList<string>>? entryPointsChanged = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryPoints);
        var current = entryPoints;
        using var rounds = new PeriodicTimer(_options.RefreshInterval, _time);
        try
        {
            while (await rounds.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    var checkedList = await CheckEntryPointsAsync(current, cancellationToken).ConfigureAwait(false);
                    if (checkedList.SequenceEqual(current, StringComparer.Ordinal)) continue;
                    current = checkedList;
                    entryPointsChanged?.Invoke(current);
                }
                catch (OverlayUnreachableException)
                {
                    // Nobody answered this round (the network is down, say): the next round tries again.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }
}
