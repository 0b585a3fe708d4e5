namespace MyChips.Protocol.Connections;

/// <summary>
/// Ending a connection: the first reason wins; the read loop stops; packets already queued are written
/// (bounded by the drain timeout; dropped at once after a protocol violation); then the machine told, the session
/// told, FIN, and last the peer's last bytes drained and the socket released.
/// </summary>
public sealed partial class ProtocolConnection
{
    private int _ending;

    private void Close(ConnectionCloseKind kind, string detail) => Close(new ConnectionCloseReason(kind, detail));

    // A violation found after a step (a body the codec could not decode): closed at once, not answered.
    private void Violated(ProtocolViolation violation, string detail) =>
        Close(new ConnectionCloseReason(ConnectionCloseKind.ProtocolViolation, detail) { Violation = violation });

    private bool _violationAnswered; // the session answered the violation: what it queued is written before the FIN

    /// <summary>The peer broke the protocol: the session may answer (an error reply) before the connection closes.</summary>
    private async ValueTask ViolatedAsync(ProtocolViolation violation, string detail, PacketDescriptor? packet = null)
    {
        var reason = new ConnectionCloseReason(ConnectionCloseKind.ProtocolViolation, detail) { Violation = violation, Packet = packet };
        if (CloseReason is null)
        {
            try
            {
                _violationAnswered = await _session.NotifyViolationAsync(reason).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // An answer that failed to go: the close is abortive as for any violation.
                _violationAnswered = false;
            }
        }
        Close(reason);
    }

    private void Close(ConnectionCloseReason reason)
    {
        var kind = reason.Kind;
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null) return;
        CloseOutbox();
        if (IsAbortive(kind)) _output.CancelPendingFlush();
        _input.CancelPendingRead();
        // Closed before it ever started reading: no read loop will end it, so end it here.
        if (Interlocked.Exchange(ref _started, 1) == 0) _ = EndAsync();
    }

    // A peer that broke the protocol or a failed socket gets nothing more; every other close lets queued packets go.
    private bool IsAbortive(ConnectionCloseKind kind) =>
        kind is ConnectionCloseKind.SocketError or ConnectionCloseKind.WriteStalled || (kind is ConnectionCloseKind.ProtocolViolation && !_violationAnswered);

    private async Task EndAsync()
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0) return;
        var reason = CloseReason!;
        await _input.CompleteAsync().ConfigureAwait(false);
        await FinishWritingAsync().ConfigureAwait(false);

        await _steps.WaitAsync().ConfigureAwait(false);
        try
        {
            _timers.Dispose();
            if (!_machine.IsFinal)
                await _machine.EndAsync(reason.Kind is ConnectionCloseKind.LocalClosed or ConnectionCloseKind.Completed ? null : reason.ToString()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The machine's closing actions failed; the connection is over all the same.
        }
        finally
        {
            _steps.Release();
        }
        _noise.Dispose();
        if (_stream is not System.Net.Sockets.NetworkStream) await DisposeUpgradedAsync().ConfigureAwait(false);
        try
        {
            // Told before the FIN: a peer that sees the connection end finds this side's account of it settled.
            _session.NotifyClosed(reason);
        }
        finally
        {
            try
            {
                var finSent = OrderlyClose.SendFin(_socket);
                await OrderlyClose.DrainAndReleaseAsync(_socket, finSent && !IsAbortive(reason.Kind), _options.CloseDrainTimeout, _options.CloseDrainBytes, _options.TimeProvider).ConfigureAwait(false);
            }
            finally
            {
                _ended?.Invoke(this);
                _completion.TrySetResult(reason);
            }
        }
    }

    private async Task DisposeUpgradedAsync()
    {
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The upgraded stream failed to close; the connection ends all the same.
        }
    }

    /// <summary>Lets the write loop write what is queued, for at most the drain timeout, then stops it.</summary>
    private async Task FinishWritingAsync()
    {
        try
        {
            await CurrentWriteLoop.WaitAsync(_options.CloseDrainTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _output.CancelPendingFlush(); // a peer that does not read: what is left stays unsent
            await CurrentWriteLoop.ConfigureAwait(false);
        }
        DropUnsent();
        // Completed with an error, so the writer drops what a canceled flush left buffered instead of writing it to
        // a peer that reads nothing (completing cleanly would flush it, and wait for that peer forever).
        await _output.CompleteAsync(new IOException("The connection is closed.")).ConfigureAwait(false);
    }
}
