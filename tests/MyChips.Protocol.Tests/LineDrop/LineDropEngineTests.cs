using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Testing.Tls;

namespace MyChips.Protocol.Tests.LineDrop;

/// <summary>
/// The engine's hooks for line protocols that carry data of their own (Specs/line-drop.protocol): whole-line
/// replies, the any-line packet, raw reads and writes in a step, a TLS upgrade mid-session, an answered violation.
/// </summary>
public sealed class LineDropEngineTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = LineDropServerSession.Patience;
    private readonly Channel<LineDropServerSession> _accepted = Channel.CreateUnbounded<LineDropServerSession>();
    private readonly X509Certificate2 _certificate = TestCertificates.SelfSigned("line-drop");
    private ProtocolNode _server = null!;
    private ProtocolNode _client = null!;

    public Task InitializeAsync()
    {
        _server = new ProtocolNode(LineDropDescription.Instance, new ConnectionOptions { MaxRawRead = 64 });
        _server.Listen(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var session = new LineDropServerSession(_certificate);
            _accepted.Writer.TryWrite(session);
            return session;
        });
        _client = new ProtocolNode(LineDropDescription.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _certificate.Dispose();

    [Fact]
    public async Task Raw_bytes_go_between_whole_line_replies_in_order_and_come_back_on_an_any_line()
    {
        var session = new LineDropClientSession();
        await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(Patience);

        Assert.Equal("took hello", await session.DropAsync("hello").WaitAsync(Patience));
        // No line end after a drop: the next bytes are the next command, read as a line again.
        Assert.Equal("took two words", await session.DropAsync("two words").WaitAsync(Patience));
    }

    [Fact]
    public async Task A_drop_longer_than_the_raw_read_limit_is_refused_and_closes_the_connection()
    {
        var session = new LineDropClientSession();
        await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(Patience);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        await Assert.ThrowsAnyAsync<Exception>(() => session.DropAsync(new string('x', 65)).WaitAsync(Patience));

        var reason = await server.Closed.WaitAsync(Patience);
        Assert.Equal(ConnectionCloseKind.Failed, reason.Kind);
        Assert.Contains("at most 64 bytes", reason.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_upgrade_to_TLS_drops_go_on_over_it()
    {
        var session = new LineDropClientSession();
        await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(Patience);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("took clear", await session.DropAsync("clear").WaitAsync(Patience));

        await session.SecureAsync().WaitAsync(Patience);

        Assert.Equal("took secret", await session.DropAsync("secret").WaitAsync(Patience));
        Assert.True(server.IsSecure);
    }

    [Fact]
    public async Task A_command_and_the_TLS_hello_in_one_write_still_upgrade()
    {
        using var tcp = await ConnectRawAsync();
        var network = tcp.GetStream();
        var first = Encoding.ASCII.GetBytes("starttls\r\n");
        await using var tls = new System.Net.Security.SslStream(new FirstWritePrefixStream(first, network), false, (_, _, _, _) => true);

        await tls.AuthenticateAsClientAsync("line-drop").WaitAsync(Patience);
        await tls.WriteAsync(Encoding.ASCII.GetBytes("send 2\r\n"));
        var reply = new byte["(ready now)\r\n".Length];
        await tls.ReadExactlyAsync(reply).AsTask().WaitAsync(Patience);

        Assert.Equal("(ready now)\r\n", Encoding.ASCII.GetString(reply));
    }

    [Fact]
    public async Task A_failed_upgrade_closes_the_connection_cleanly()
    {
        using var tcp = await ConnectRawAsync();
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("starttls\r\nthis is no TLS hello, just words\r\n"));

        var reason = await server.Closed.WaitAsync(Patience);
        Assert.Equal(ConnectionCloseKind.SocketError, reason.Kind);
        Assert.Contains("upgrade failed", reason.Detail, StringComparison.Ordinal);
        Assert.False(server.IsSecure);
        Assert.Equal(0, await ReadToEndAsync(tcp));
    }

    [Fact]
    public async Task A_violation_the_session_answers_is_written_before_the_close()
    {
        using var tcp = await ConnectRawAsync();
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("a note\r\n(ready now)\r\n"));

        Assert.Equal("(error) UnexpectedPacket\r\n", Encoding.ASCII.GetString(await ReadAllAsync(tcp)));
        var reason = await server.Closed.WaitAsync(Patience);
        Assert.Equal(ProtocolViolation.UnexpectedPacket, reason.Violation);
        Assert.Equal(["a note"], server.Notes);
    }

    [Fact]
    public async Task With_bare_line_feeds_accepted_a_lone_LF_ends_a_line_and_replies_still_end_in_CRLF()
    {
        await using var lenient = new ProtocolNode(LineDropDescription.Instance, new ConnectionOptions { AcceptBareLineFeed = true });
        var accepted = new TaskCompletionSource<LineDropServerSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        var at = lenient.Listen(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var session = new LineDropServerSession();
            accepted.TrySetResult(session);
            return session;
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(at).WaitAsync(Patience);

        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("typed\n(ready now)\n"));

        Assert.Equal("(error) UnexpectedPacket\r\n", Encoding.ASCII.GetString(await ReadAllAsync(tcp)));
        Assert.Equal(["typed"], (await accepted.Task.WaitAsync(Patience)).Notes);
    }

    private async Task<TcpClient> ConnectRawAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.LocalEndPoint!).WaitAsync(Patience);
        return tcp;
    }

    private static async Task<byte[]> ReadAllAsync(TcpClient tcp)
    {
        var all = new MemoryStream();
        await tcp.GetStream().CopyToAsync(all).WaitAsync(Patience);
        return all.ToArray();
    }

    /// <summary>The bytes the server sent before its FIN, or -1 for a reset.</summary>
    private static async Task<int> ReadToEndAsync(TcpClient tcp)
    {
        try
        {
            return (await ReadAllAsync(tcp)).Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
