using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MyChips.Protocol.Ciyam.Wire;

/// <summary>
/// One CIYAM connection's bytes: CRLF lines of bounded length, fixed-size raw chunks, and the switch to TLS.
/// Every read has a deadline from the <see cref="TimeProvider"/>, so a silent peer ends the session.
/// </summary>
internal sealed class CiyamWire(Stream stream, TimeProvider time, Action<TimeSpan>? waiting = null) : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream = stream;
    private int _start;
    private int _end;

    public bool IsSecure => _stream is SslStream;

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

    /// <summary>Continues over TLS as its server; nothing may have been sent after the <c>tls</c> line.</summary>
    public async Task AuthenticateAsServerAsync(X509Certificate2 certificate, TimeSpan timeout)
    {
        var tls = new SslStream(Upgradable(), leaveInnerStreamOpen: false);
        using var deadline = Deadline(timeout);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, deadline.Token).ConfigureAwait(false);
        _stream = tls;
    }

    /// <summary>Continues over TLS as its client, checking the listener's certificate with <paramref name="validate"/>.</summary>
    public async Task AuthenticateAsClientAsync(string host, RemoteCertificateValidationCallback? validate, TimeSpan timeout)
    {
        var tls = new SslStream(Upgradable(), leaveInnerStreamOpen: false, validate);
        using var deadline = Deadline(timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, deadline.Token).ConfigureAwait(false);
        _stream = tls;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    /// <summary>The stream TLS runs over: bytes already read past the <c>tls</c> line (the handshake's start) come first.</summary>
    private Stream Upgradable()
    {
        if (_start == _end) return _stream;
        var early = _buffer[_start.._end];
        _start = _end = 0;
        return new PrefixedStream(early, _stream);
    }

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
