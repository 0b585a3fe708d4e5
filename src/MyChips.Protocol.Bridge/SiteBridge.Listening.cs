using Microsoft.Extensions.Logging;
using Npgsql;

namespace MyChips.Protocol.Bridge;

public sealed partial class SiteBridge
{
    // A dedicated connection: LISTEN state lives on it. When it breaks, the bridge stops sending, connects
    // again and asks tally_notices for what was missed while it was gone.
    private async Task ListenLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == Channel) _notifications.Writer.TryWrite(e.Payload);
                };
                await using (var listen = new NpgsqlCommand($"listen \"{Channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"; listen parm_peers", connection))
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await ResendAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _listening.TrySetResult();
                while (true)
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure) when (failure is NpgsqlException or IOException or InvalidOperationException)
            {
                _logger.LogWarning("The site database went away ({Reason}); listening again shortly.", failure.Message);
                await Task.Delay(_options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // After a failed send, one retry once the retry delay has passed (a failing partner does not cause a storm).
    private async Task RetryLaterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _retryPending, 1) == 1) return;
        try
        {
            await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _retryPending, 0);
            await ResendAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception failure) when (failure is NpgsqlException or IOException or InvalidOperationException)
        {
            _logger.LogWarning("tally_notices failed: {Reason}", failure.Message);
        }
    }

    private async Task NoticeLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.NoticeInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await ResendAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is NpgsqlException or IOException or InvalidOperationException)
            {
                _logger.LogWarning("tally_notices failed: {Reason}", failure.Message);
            }
        }
    }
}
