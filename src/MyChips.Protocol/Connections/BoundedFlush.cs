using System.IO.Pipelines;

namespace MyChips.Protocol.Connections;

/// <summary>
/// A flush that a peer which stops reading cannot hold forever: past the write stall timeout it is abandoned
/// (canceled, its bytes left unsent) and the caller's stall action runs. The common case, a socket that takes the
/// bytes at once, costs nothing extra.
/// </summary>
public static class BoundedFlush
{
    /// <summary>
    /// Flushes <paramref name="output"/>. Throws <see cref="IOException"/> when the flush was canceled (the
    /// connection closed meanwhile) or stalled past <paramref name="stallTimeout"/>, after calling
    /// <paramref name="onStalled"/> with <paramref name="state"/>; what it carried must then not count as written.
    /// </summary>
    public static async ValueTask FlushAsync<TState>(PipeWriter output, TimeSpan stallTimeout, TimeProvider time, Action<TState> onStalled, TState state)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(onStalled);
        var flush = output.FlushAsync();
        if (flush.IsCompleted)
        {
            ThrowIfCanceled(flush.Result);
            return;
        }
        if (stallTimeout == Timeout.InfiniteTimeSpan)
        {
            ThrowIfCanceled(await flush.ConfigureAwait(false));
            return;
        }
        var pending = flush.AsTask();
        try
        {
            ThrowIfCanceled(await pending.WaitAsync(stallTimeout, time).ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            onStalled(state);
            // Canceling the pending write ends it; observe it so a fault is not reported as unobserved.
            output.CancelPendingFlush();
            _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new IOException($"The peer read nothing for {stallTimeout}; the write was abandoned.");
        }
    }

    // A flush canceled by a close wrote nothing for sure.
    private static void ThrowIfCanceled(FlushResult result)
    {
        if (result.IsCanceled) throw new IOException("The connection closed while a write waited for the peer to read.");
    }
}
