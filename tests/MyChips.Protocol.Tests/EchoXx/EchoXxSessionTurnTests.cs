using System.Net;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// A session with traffic of its own on the engine: packets it reads before the machine, and packets it writes in
/// the write loop's turn, sealed in order with everything else the connection sends.
/// </summary>
public sealed class EchoXxSessionTurnTests : IAsyncLifetime
{
    private readonly (byte[] Private, byte[] Public) _serverKey = EchoXxFrames.NewKeyPair();
    private readonly TaskCompletionSource<EchoTurnSession> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProtocolNode _server = null!;
    private ProtocolNode _client = null!;

    public Task InitializeAsync()
    {
        _client = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = EchoXxFrames.NewKeyPair().Private });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_session_reads_its_own_packets_and_answers_a_burst_in_its_write_turns()
    {
        var (client, session) = await ConnectAsync(new EchoTurnSession());
        var lines = Enumerable.Range(0, 300).Select(i => $"line {i}").ToArray();
        foreach (var line in lines) await client.SendLineAsync(line);

        foreach (var line in lines) Assert.Equal(line, await session.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
        var server = await _accepted.Task;
        Assert.Equal(0, server.MachineEchoes);
        Assert.InRange(server.Turns, 1, lines.Length);
        Assert.Equal("Open", client.StateName);
    }

    [Fact]
    public async Task A_handshake_packet_written_in_a_turn_closes_the_connection_with_the_reason()
    {
        var (client, session) = await ConnectAsync(new EchoTurnSession { WriteHandshakeInTurn = true });
        await client.SendLineAsync("ask for a turn");

        var reason = await (await _accepted.Task).Closed.WaitAsync(TestSite.Deadline);
        Assert.Equal(ConnectionCloseKind.Failed, reason.Kind);
        Assert.Contains("handshake", reason.Detail);
        Assert.Equal(ConnectionCloseKind.RemoteClosed, (await session.Closed.WaitAsync(TestSite.Deadline)).Kind);
    }

    private async Task<(ProtocolConnection Connection, EchoClientSession Session)> ConnectAsync(EchoTurnSession server)
    {
        _server = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = _serverKey.Private });
        _server.Listen(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            _accepted.TrySetResult(server);
            return server;
        });
        var session = new EchoClientSession();
        var connection = await _client.ConnectAsync(_server.LocalEndPoint!, session).WaitAsync(TestSite.Deadline);
        await session.Opened.WaitAsync(TestSite.Deadline);
        return (connection, session);
    }
}
