using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Testing.Tls;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>A TLS handshake that arrives in the same segment as the <c>tls</c> line is not lost.</summary>
public sealed class TlsCoalescingTests
{
    [Fact]
    public async Task The_tls_line_and_the_client_hello_in_one_write_still_start_TLS()
    {
        using var certificate = TestCertificates.SelfSigned("ciyam-test");
        await using var node = new TestListener(new CiyamPeerOptions { Certificate = certificate });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", node.Port);
        var network = tcp.GetStream();
        var greeting = new byte["0.1\r\n(okay)\r\n".Length];
        await network.ReadExactlyAsync(greeting);

        await using var tls = new SslStream(new FirstWritePrefixStream(Encoding.ASCII.GetBytes("tls\r\n"), network), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("ciyam-test").WaitAsync(LineClient.Patience);
        var okay = new byte["(okay)\r\n".Length];
        await tls.ReadExactlyAsync(okay).AsTask().WaitAsync(LineClient.Patience);

        Assert.Equal("(okay)\r\n", Encoding.ASCII.GetString(okay));
        Assert.Equal(certificate.GetCertHashString(), tls.RemoteCertificate!.GetCertHashString());
    }
}
