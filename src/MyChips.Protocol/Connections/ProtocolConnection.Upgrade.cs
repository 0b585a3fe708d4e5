using System.Buffers;
using System.IO.Pipelines;

namespace MyChips.Protocol.Connections;

/// <summary>
/// A new transport under a running session (TLS after a <c>tls</c> command, say): at a point where nothing is in
/// flight, the connection's stream is wrapped, and reading and writing go on over the wrapper.
/// </summary>
public sealed partial class ProtocolConnection
{
    private Stream _stream = null!;

    /// <summary>
    /// In a step that holds the read turn: waits until every queued packet is written, then hands the connection's
    /// stream to <paramref name="wrap"/> (an <see cref="System.Net.Security.SslStream"/> that authenticates, say) and
    /// reads and writes over the stream it returns. Bytes the peer sent that were read but not yet taken (the start
    /// of its TLS handshake) come first from the stream <paramref name="wrap"/> gets. When <paramref name="wrap"/>
    /// fails or takes longer than <paramref name="timeout"/> (its token is canceled then), the connection closes and
    /// the exception is thrown.
    /// </summary>
    public async ValueTask UpgradeAsync(Func<Stream, CancellationToken, Task<Stream>> wrap, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        RequireReadTurn();
        await _sealing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (CloseReason is { } closed) throw new InvalidOperationException($"The connection is closed ({closed}).");
            await WrittenAsync().ConfigureAwait(false);
            var early = _unread.ToArray();
            if (_holdingRead) _input.AdvanceTo(_unread.End);
            (_holdingRead, _unread) = (false, default);
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
            using var deadline = new CancellationTokenSource(timeout, _options.TimeProvider);
            Stream wrapped;
            try
            {
                wrapped = await wrap(early.Length == 0 ? _stream : new PrefixedStream(early, _stream), deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Close(ConnectionCloseKind.SocketError, $"the transport upgrade failed: {e.Message}");
                throw;
            }
            _stream = wrapped;
            (_input, _output) = CreatePipes(wrapped);
        }
        finally
        {
            _sealing.Release();
        }
    }

    private static (PipeReader Input, PipeWriter Output) CreatePipes(Stream stream) =>
        (PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16384, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true)),
         PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16384, leaveOpen: true)));

    /// <summary>
    /// Completes once the write loop has written and flushed every frame queued before the call; the caller holds the
    /// sealing lock, so nothing new is queued meanwhile.
    /// </summary>
    private async Task WrittenAsync()
    {
        var deadline = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            Task loop;
            lock (_outboxGate)
            {
                if (!_writing) return;
                loop = _writeLoop;
            }
            var left = _options.WriteStallTimeout - _options.TimeProvider.GetElapsedTime(deadline);
            try
            {
                if (left <= TimeSpan.Zero) throw new TimeoutException();
                await loop.WaitAsync(left, _options.TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Close(ConnectionCloseKind.WriteStalled, $"the peer read nothing for {_options.WriteStallTimeout}");
                throw new InvalidOperationException($"The connection is closed ({CloseReason}).");
            }
        }
    }
}
