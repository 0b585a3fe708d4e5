using System.Net;
using System.Text;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.LineChat;

/// <summary>A line-framed protocol (Specs/line-chat.protocol) on the same engine: command words, CRLF, the spec's limits.</summary>
public sealed class LineChatEngineTests : IAsyncLifetime
{
    private readonly Channel<LineChatServerSession> _accepted = Channel.CreateUnbounded<LineChatServerSession>();
    private ProtocolNode _server = null!;
    private ProtocolNode _client = null!;

    public Task InitializeAsync()
    {
        _server = new ProtocolNode(LineChatDescription.Instance);
        _server.Listen(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var session = new LineChatServerSession();
            _accepted.Writer.TryWrite(session);
            return session;
        });
        _client = new ProtocolNode(LineChatDescription.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Two_nodes_talk_in_lines_and_a_quit_ends_the_server_machine()
    {
        var session = new LineChatClientSession();
        var client = await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(TestSite.Deadline);

        Assert.Equal("you said hello", await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
        await client.SendSayAsync("more words");
        Assert.Equal("you said more words", await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));

        await client.SendQuitAsync();
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.Completed, (await server.Closed.WaitAsync(TestSite.Deadline)).Kind);
    }

    [Fact]
    public async Task The_wire_is_the_command_word_a_space_the_body_and_CRLF()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);

        await peer.SendAsync(Encoding.ASCII.GetBytes("say hi there\r\n"));

        Assert.Equal("say you said hi there\r\n", await ReadLineAsync(peer));
    }

    [Theory]
    [InlineData("shout hi\r\n", "is no command of LineChat")]
    [InlineData("say hi\n", "bare line feed")]
    [InlineData("quit\r\nsay late\r\n", "machine reached Closed")]
    public async Task What_the_spec_does_not_allow_ends_the_connection(string wire, string why)
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendAsync(Encoding.ASCII.GetBytes(wire));

        Assert.Contains(why, (await server.Closed.WaitAsync(TestSite.Deadline)).Detail);
    }

    [Fact]
    public async Task A_body_the_spec_does_not_allow_is_a_malformed_body()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendAsync(Encoding.ASCII.GetBytes("quit now\r\n")); // quit carries no body

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, reason.Kind);
        Assert.Equal(ProtocolViolation.MalformedBody, reason.Violation);
        Assert.Contains("a malformed Quit body", reason.Detail);
    }

    [Fact]
    public async Task A_line_longer_than_the_spec_allows_is_refused_before_it_ends()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendAsync(Encoding.ASCII.GetBytes("say " + new string('x', 400)));

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, reason.Kind);
        Assert.Equal(ProtocolViolation.FrameTooLarge, reason.Violation);
        Assert.Contains("200-byte maximum", reason.Detail);
    }

    [Fact]
    public async Task A_body_with_a_line_break_is_refused_before_it_is_sent()
    {
        var session = new LineChatClientSession();
        var client = await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(TestSite.Deadline);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendSayAsync("two\r\nlines").AsTask());
        Assert.Contains("line break", error.Message);
    }

    private static async Task<string> ReadLineAsync(TcpEnd peer)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
            line.Append((char)(await peer.ReadBytesAsync(1))[0]);
        return line.ToString();
    }
}
