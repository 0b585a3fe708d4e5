using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Sends that cannot be delivered end in a reason, whatever goes wrong.</summary>
public class PeerNodeFailureTests
{
    [Fact]
    public async Task A_responder_that_never_answers_fails_every_queued_message_with_HandshakeTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestSite.StartAsync(PeerMode.Strict, time: time);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var destination = new PeerDestination(AgentKey.Generate("127.0.0.1", 1).Agent, "127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port);

        var sends = Enumerable.Range(0, 5).Select(i => a.Node.SendAsync(destination, System.Text.Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""))).ToArray();
        using var accepted = await silent.AcceptSocketAsync().WaitAsync(TestSite.Deadline);
        await a.WaitForStateAsync(s => s.State == ConnectionState.Handshaking);
        time.Advance(TimeSpan.FromSeconds(11));

        foreach (var send in sends)
        {
            var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => send.WaitAsync(TestSite.Deadline));
            Assert.True(failure.Reason == DeliveryFailure.HandshakeTimeout, failure.Message);
        }
        var closed = await a.WaitForCloseAsync(ConnectionDirection.Outbound);
        Assert.Equal(CloseReason.HandshakeTimeout, closed.CloseReason);
    }

    [Fact]
    public async Task A_send_canceled_before_it_is_written_fails_with_Canceled()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var destination = new PeerDestination(AgentKey.Generate("127.0.0.1", 1).Agent, "127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port);
        using var cts = new CancellationTokenSource();

        // The first message rides in K; the second waits in the queue for a handshake that does not come.
        var first = a.Node.SendAsync(destination, """{"n":1}"""u8.ToArray());
        var second = a.Node.SendAsync(destination, """{"n":2}"""u8.ToArray(), cancellationToken: cts.Token);
        using var accepted = await silent.AcceptSocketAsync().WaitAsync(TestSite.Deadline);
        await cts.CancelAsync();

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => second.WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.Canceled, failure.Reason);
        Assert.False(first.IsCompleted);
        await a.Node.DisposeAsync();
        var stopped = await Assert.ThrowsAsync<DeliveryFailedException>(() => first.WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.NodeStopped, stopped.Reason);
    }

    [Fact]
    public async Task A_key_store_that_cannot_answer_refuses_the_connection_and_fails_the_send()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Strict);
        var key = AgentKey.Generate("127.0.0.1", 0);
        await using var b = new PeerNode(new PeerNodeOptions { LocalKey = key, BlockList = BlockListOptions.Disabled }, new UnavailableKeyStore());
        var closed = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.ConnectionStateChanged += (_, s) => { if (s.State == ConnectionState.Closed) closed.TrySetResult(s); };
        await b.StartAsync();
        a.Keys.Add(AgentRecord.FromId(b.Agent, "127.0.0.1", b.LocalEndPoint.Port));

        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(
            () => a.Node.SendAsync(b.Agent, """{"n":1}"""u8.ToArray()).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.HandshakeFailed, failure.Reason);
        Assert.Equal(CloseReason.KeyStoreUnavailable, (await closed.Task.WaitAsync(TestSite.Deadline)).CloseReason);

        // And a node whose own key store is down says so before connecting.
        await using var c = new PeerNode(new PeerNodeOptions { LocalKey = AgentKey.Generate("127.0.0.1", 0) }, new UnavailableKeyStore());
        var own = await Assert.ThrowsAsync<DeliveryFailedException>(() => c.SendAsync(b.Agent, "{}"u8.ToArray()).WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.KeyStoreUnavailable, own.Reason);
    }

    private sealed class UnavailableKeyStore : IKeyProvider
    {
        public ValueTask<AgentRecord?> FindAgentAsync(AgentId agent, CancellationToken cancellationToken = default) =>
            throw new KeyStoreUnavailableException("the database is down");
    }
}
