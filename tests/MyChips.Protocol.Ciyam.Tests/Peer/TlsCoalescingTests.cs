using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MyChips.Protocol.Ciyam.Peer;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>A TLS handshake that arrives in the same segment as the <c>tls</c> line is not lost.</summary>
public sealed class TlsCoalescingTests
{
    [Fact]
    public async Task The_tls_line_and_the_client_hello_in_one_write_still_start_TLS()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var made = new CertificateRequest("CN=ciyam-test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        await using var node = new TestListener(new CiyamPeerOptions { Certificate = certificate });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", node.Port);
        var network = tcp.GetStream();
        var greeting = new byte["0.1\r\n(okay)\r\n".Length];
        await network.ReadExactlyAsync(greeting);

        await using var tls = new SslStream(new FirstWritePrefix(Encoding.ASCII.GetBytes("tls\r\n"), network), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("ciyam-test").WaitAsync(LineClient.Patience);
        var okay = new byte["(okay)\r\n".Length];
        await tls.ReadExactlyAsync(okay).AsTask().WaitAsync(LineClient.Patience);

        Assert.Equal("(okay)\r\n", Encoding.ASCII.GetString(okay));
        Assert.Equal(certificate.GetCertHashString(), tls.RemoteCertificate!.GetCertHashString());
    }

    /// <summary>Puts bytes in front of the first write, so they leave in one segment with it.</summary>
    private sealed class FirstWritePrefix(byte[] prefix, Stream inner) : Stream
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

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(Joined(buffer.Span), cancellationToken);

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
}
