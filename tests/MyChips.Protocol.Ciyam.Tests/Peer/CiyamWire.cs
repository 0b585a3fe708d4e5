using MyChips.Protocol.Ciyam.Wire;
using System.Text;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>
/// A plain CIYAM client's bytes over a stream, as the tests type them: CRLF lines of bounded length and fixed-size
/// raw chunks, every read with a deadline from the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class CiyamWire(Stream stream, TimeProvider time, Action<TimeSpan>? waiting = null) : ICiyamLines, IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly Stream _stream = stream;
    private int _start;
    private int _end;

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>Reads one line (LF, optionally after CR, as CIYAM reads); refuses one longer than <paramref name="maxLength"/>.</summary>
    public async Task<string> ReadLineAsync(int maxLength, TimeSpan timeout)
    {
        using var deadline = Deadline(timeout);
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end) await FillAsync(deadline.Token).ConfigureAwait(false);
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            var take = lf < 0 ? span.Length : lf;
            line.Write(span[..take]);
            _start += lf < 0 ? take : take + 1;
            if (line.Length > maxLength + 1) throw new CiyamProtocolException($"a line is longer than the {maxLength}-byte maximum");
            if (lf < 0) continue;
            var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
            if (text.EndsWith('\r')) text = text[..^1];
            if (text.Length > maxLength) throw new CiyamProtocolException($"a line is longer than the {maxLength}-byte maximum");
            return text;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes of ASCII: one raw transfer chunk.</summary>
    public async Task<string> ReadChunkAsync(int count, TimeSpan timeout)
    {
        using var deadline = Deadline(timeout);
        var chunk = new byte[count];
        var at = 0;
        while (at < count)
        {
            if (_start == _end) await FillAsync(deadline.Token).ConfigureAwait(false);
            var take = Math.Min(count - at, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(chunk.AsSpan(at));
            _start += take;
            at += take;
        }
        return Encoding.ASCII.GetString(chunk);
    }

    public Task WriteLineAsync(string line) => WriteAsync(line + "\r\n");

    public async Task WriteAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes).ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
        BytesWritten += bytes.Length;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private CancellationTokenSource Deadline(TimeSpan timeout)
    {
        var deadline = new CancellationTokenSource(timeout, time);
        waiting?.Invoke(timeout);
        return deadline;
    }

    private async Task FillAsync(CancellationToken deadline)
    {
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new CiyamProtocolException("the peer stopped answering (timeout)");
        }
        catch (IOException e)
        {
            throw new CiyamProtocolException("the connection failed: " + e.Message, e);
        }
        if (read == 0) throw new CiyamProtocolException("the peer closed the connection");
        BytesRead += read;
        (_start, _end) = (0, read);
    }
}
