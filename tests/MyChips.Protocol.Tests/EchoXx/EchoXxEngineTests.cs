using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// The echo protocol (Specs/echo-xx.protocol) on the runtime's connection engine: two nodes over TCP, Noise XX
/// built from the spec's packet declarations, and its session classes as the only hand-written code.
/// </summary>
public sealed class EchoXxEngineTests : IAsyncLifetime
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private readonly Channel<EchoServerSession> _accepted = Channel.CreateUnbounded<EchoServerSession>();
    private readonly (byte[] Private, byte[] Public) _serverKey = EchoXxFrames.NewKeyPair();
    private readonly (byte[] Private, byte[] Public) _clientKey = EchoXxFrames.NewKeyPair();
    private ProtocolNode _server = null!;
    private ProtocolNode _client = null!;
    private System.Net.Sockets.TcpListener? _silent;

    public Task InitializeAsync()
    {
        _server = Server(new ConnectionOptions { LocalStaticPrivateKey = _serverKey.Private });
        _client = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = _clientKey.Private });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _silent?.Stop();
    }

    [Fact]
    public async Task Lines_cross_an_XX_handshake_and_come_back()
    {
        var (client, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);

        await client.SendLineAsync("hello over XX");
        await client.SendLineAsync("and again");

        Assert.Equal("hello over XX", await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
        Assert.Equal("and again", await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
        Assert.Equal("XX", client.HandshakePattern);
        Assert.Equal("Open", client.StateName);
    }

    [Fact]
    public async Task Each_side_learns_the_static_key_the_other_holds()
    {
        var (client, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);
        await client.SendLineAsync("sync"); // the server has completed once the echo comes back
        await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        Assert.Equal(_serverKey.Public, client.PeerStaticKey.ToArray());
        Assert.Equal(_clientKey.Public, server.Connection.PeerStaticKey.ToArray());
        Assert.True(server.Connection.IsHandshakeCompleted);
    }

    [Fact]
    public async Task A_server_that_does_not_trust_the_client_key_closes_as_a_protocol_violation()
    {
        await _server.DisposeAsync();
        _server = Server(new ConnectionOptions { LocalStaticPrivateKey = _serverKey.Private, IsTrustedPeerKey = _ => false });

        var (_, session) = await ConnectAsync(_client);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        var refused = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, refused.Kind);
        Assert.Equal(ProtocolViolation.HandshakeFailed, refused.Violation);
        Assert.Contains("not trusted", refused.Detail);
        Assert.Equal(ConnectionCloseKind.RemoteClosed, (await session.Closed.WaitAsync(TestSite.Deadline)).Kind);
    }

    [Fact]
    public async Task A_side_that_completes_the_handshake_by_reading_its_last_message_is_told()
    {
        var (client, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await server.HandshakeCompleted.WaitAsync(TestSite.Deadline); // XX ends with the client's message 3
        await client.SendLineAsync("after");
        Assert.Equal("after", await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
    }

    [Fact]
    public async Task An_action_that_returns_close_ends_the_connection_with_its_reason()
    {
        var (client, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await client.SendLineAsync(EchoServerSession.Quit);

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(new ConnectionCloseReason(ConnectionCloseKind.Refused, "the client asked to quit"), reason);
        Assert.Equal(ConnectionCloseKind.RemoteClosed, (await session.Closed.WaitAsync(TestSite.Deadline)).Kind);
        Assert.Equal("Closed", client.StateName); // the engine fired the client machine's failed event
    }

    [Fact]
    public async Task A_transport_packet_before_the_handshake_is_refused_with_a_FIN()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendFrameAsync('L', Encoding.UTF8.GetBytes("\"too early\""));

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ProtocolViolation.UnexpectedPacket, reason.Violation);
        Assert.Contains("not expected in state Waiting", reason.Detail);
        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
    }

    [Theory]
    [InlineData('Z', "no packet of EchoXx", ProtocolViolation.UnknownPacket)]
    [InlineData('a', "may not be sent by the Initiator", ProtocolViolation.UnexpectedPacket)]
    public async Task A_packet_the_spec_does_not_allow_from_this_peer_is_refused(char type, string why, ProtocolViolation violation)
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendFrameAsync(type, new byte[32]);

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, reason.Kind);
        Assert.Equal(violation, reason.Violation);
        Assert.Contains(why, reason.Detail);
    }

    [Fact]
    public async Task A_frame_longer_than_the_spec_allows_is_refused_before_its_body_arrives()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendAsync([0x00, 0x01, 0x00, 0x01, (byte)'h']); // 65,537 bytes announced: one over the spec's maximum

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ProtocolViolation.FrameTooLarge, reason.Violation);
        Assert.Contains("65536-byte maximum", reason.Detail);
    }

    [Fact]
    public async Task A_handshake_message_that_does_not_decrypt_is_refused()
    {
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendFrameAsync('h', new byte[8]); // shorter than the ephemeral key message 1 carries

        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.ProtocolViolation, reason.Kind);
        Assert.Equal(ProtocolViolation.HandshakeFailed, reason.Violation);
    }

    [Fact]
    public async Task The_spec_handshake_timeout_closes_a_silent_peer()
    {
        var time = new FakeTimeProvider();
        await _server.DisposeAsync();
        _server = Server(new ConnectionOptions { LocalStaticPrivateKey = _serverKey.Private, TimeProvider = time });
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);
        await server.Connected.WaitAsync(TestSite.Deadline);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(server.Closed.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        // The node sends its FIN, then drains until the peer's own (the drain's deadline runs on the fake clock).
        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
        peer.Dispose();
        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.TimedOut, reason.Kind);
        Assert.Equal("handshake", reason.Timeout);
    }

    [Fact]
    public async Task Options_override_a_spec_timeout_by_its_name()
    {
        var time = new FakeTimeProvider();
        await _server.DisposeAsync();
        _server = Server(new ConnectionOptions
        {
            LocalStaticPrivateKey = _serverKey.Private,
            TimeProvider = time,
            Timeouts = new Dictionary<string, TimeSpan> { ["handshake"] = TimeSpan.FromSeconds(2) },
        });
        using var peer = await TcpEnd.ConnectAsync(_server.LocalEndPoint!.Port);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);
        await server.Connected.WaitAsync(TestSite.Deadline);

        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
        peer.Dispose();
        Assert.Equal(ConnectionCloseKind.TimedOut, (await server.Closed.WaitAsync(TestSite.Deadline)).Kind);
    }

    [Fact]
    public async Task Traffic_restarts_the_idle_timeout_and_silence_ends_it()
    {
        var time = new FakeTimeProvider();
        await _server.DisposeAsync();
        _server = Server(new ConnectionOptions { LocalStaticPrivateKey = _serverKey.Private, TimeProvider = time });
        var (client, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);
        await client.SendLineAsync("open?"); // echoed once the server is open too
        await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        time.Advance(TimeSpan.FromSeconds(20));
        await client.SendLineAsync("still here");
        await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline); // echoed: the server took the step
        time.Advance(TimeSpan.FromSeconds(20)); // 40 s since the start, 20 s since the line
        Assert.False(server.Closed.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(10));
        var reason = await server.Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.TimedOut, reason.Kind);
        Assert.Equal("idle", reason.Timeout);
    }

    [Fact]
    public async Task Sending_a_transport_packet_before_the_handshake_is_a_clear_error()
    {
        var (client, _) = await ConnectAsync(_client, open: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendLineAsync("early").AsTask());
        Assert.Contains("handshake", error.Message);
    }

    [Fact]
    public async Task Stopping_a_node_closes_its_connections_and_tells_their_sessions()
    {
        var (_, session) = await ConnectAsync(_client);
        await session.Opened.WaitAsync(TestSite.Deadline);
        var server = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await _server.DisposeAsync();

        Assert.Equal(ConnectionCloseKind.LocalClosed, (await server.Closed.WaitAsync(TestSite.Deadline)).Kind);
        Assert.Equal(ConnectionCloseKind.RemoteClosed, (await session.Closed.WaitAsync(TestSite.Deadline)).Kind);
        Assert.Empty(_server.Connections);
    }

    private ProtocolNode Server(ConnectionOptions options)
    {
        var node = new ProtocolNode(EchoXxDescription.Instance, options);
        node.Listen(AnyLoopback, () =>
        {
            var session = new EchoServerSession();
            _accepted.Writer.TryWrite(session);
            return session;
        });
        return node;
    }

    private async Task<(ProtocolConnection Connection, EchoClientSession Session)> ConnectAsync(ProtocolNode node, bool open = true)
    {
        var session = new EchoClientSession();
        var target = open ? _server.LocalEndPoint! : SilentListener();
        var connection = await node.ConnectAsync(target, session).WaitAsync(TestSite.Deadline);
        return (connection, session);
    }

    // A listener that accepts and never answers: the client's handshake stays where it began.
    private EndPoint SilentListener()
    {
        _silent ??= new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        _silent.Start();
        return _silent.LocalEndpoint;
    }
}
