namespace MyChips.Protocol.Testing.Tls;

/// <summary>
/// Puts bytes in front of the first write, so they leave in one segment with it: a command line and the TLS
/// client hello that follows it arriving together.
/// </summary>
public sealed class FirstWritePrefixStream(byte[] prefix, Stream inner) : Stream
{
    private byte[]? _pending = prefix;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(Joined(buffer.AsSpan(offset, count)));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(Joined(buffer.Span), cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private byte[] Joined(ReadOnlySpan<byte> data)
    {
        var joined = _pending is null ? data.ToArray() : [.. _pending, .. data];
        _pending = null;
        return joined;
    }
}
