using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using static MyChips.Protocol.Tests.Hardening.HostileHandshakes;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>
/// Every close the node makes on its own account ends with a FIN, never a reset: peers such as the deployed
/// JavaScript one treat a reset as a crash, or keep the dead connection as open.
/// </summary>
public class OrderlyCloseTests
{
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task An_idle_close_ends_with_a_fin()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, time: time);
        var agent = TrustedAgent(b);
        using var peer = await TcpEnd.ConnectAsync(b.Port);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent));
        Assert.Equal('A', (await peer.ReadFrameAsync()).Type);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
        Assert.Equal(CloseReason.IdleTimeout, (await b.WaitForCloseAsync()).CloseReason);
    }

    [Fact]
    public async Task A_handshake_timeout_ends_with_a_fin()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Strict, time: time);
        using var peer = await TcpEnd.ConnectAsync(b.Port);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Handshaking);

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
        Assert.Equal(CloseReason.HandshakeTimeout, (await b.WaitForCloseAsync()).CloseReason);
    }

    [Fact]
    public async Task A_receipt_timeout_ends_with_a_fin_and_fails_the_message()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestSite.StartAsync(PeerMode.Raw, o => o with { Delivery = DeliveryMode.Confirmed }, time);
        using var responder = new RawResponder();
        var send = a.Node.SendAsync(Destination(responder), Json("""{"n":1}"""));
        using var peer = await responder.AcceptAndOpenAsync(receipts: true);
        await a.WaitForStateAsync(s => s.State == ConnectionState.Open);

        time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
        var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => send.WaitAsync(TestSite.Deadline));
        Assert.Equal(DeliveryFailure.ConnectionLost, failure.Reason);
        Assert.Equal(CloseReason.ReceiptTimeout, (await a.WaitForCloseAsync(ConnectionDirection.Outbound)).CloseReason);
    }

    [Fact]
    public async Task A_local_close_ends_with_a_fin_after_what_was_written()
    {
        await using var a = await TestSite.StartAsync(PeerMode.Raw, o => o with { Delivery = DeliveryMode.Written });
        using var responder = new RawResponder();
        var destination = Destination(responder);
        var first = a.Node.SendAsync(destination, Json("""{"n":1}"""));
        using var peer = await responder.AcceptAndOpenAsync();
        await first.WaitAsync(TestSite.Deadline);
        await a.Node.SendAsync(destination, Json("""{"n":2}""")).WaitAsync(TestSite.Deadline);

        a.Node.Disconnect(destination.Agent);

        var (type, body) = await peer.ReadFrameAsync();
        Assert.Equal(('T', """{"n":2}"""), (type, Encoding.UTF8.GetString(body)));
        Assert.Equal((TcpClose.Fin, 0L), await peer.ReadToCloseAsync());
    }

    [Fact]
    public async Task Stopping_the_node_ends_its_connections_with_a_fin()
    {
        var a = await TestSite.StartAsync(PeerMode.Raw, o => o with { Delivery = DeliveryMode.Written });
        using var responder = new RawResponder();
        var first = a.Node.SendAsync(Destination(responder), Json("""{"n":1}"""));
        using var peer = await responder.AcceptAndOpenAsync();
        await first.WaitAsync(TestSite.Deadline);

        await a.DisposeAsync();

        Assert.Equal((TcpClose.Fin, 0L), await peer.ReadToCloseAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_the_node_gives_unacknowledged_messages_the_grace_period(bool grace)
    {
        var a = await TestSite.StartAsync(PeerMode.Raw, o => o with
        {
            Delivery = DeliveryMode.Confirmed,
            ShutdownGracePeriod = grace ? TestSite.Deadline : TimeSpan.Zero,
        });
        using var responder = new RawResponder();
        var send = a.Node.SendAsync(Destination(responder), Json("""{"n":1}"""));
        using var peer = await responder.AcceptAndOpenAsync(receipts: true);
        await a.WaitForStateAsync(s => s.State == ConnectionState.Open);

        var stopping = a.DisposeAsync().AsTask();
        if (grace)
        {
            // The stop waits for the receipt of the message in flight, and the message counts as delivered.
            Assert.False(stopping.IsCompleted);
            await peer.SendFrameAsync('R', Count(1));
            await stopping.WaitAsync(TestSite.Deadline);
            await send.WaitAsync(TestSite.Deadline);
        }
        else
        {
            await stopping.WaitAsync(TestSite.Deadline);
            var failure = await Assert.ThrowsAsync<DeliveryFailedException>(() => send.WaitAsync(TestSite.Deadline));
            Assert.Equal(DeliveryFailure.NodeStopped, failure.Reason);
        }
        Assert.Equal(TcpClose.Fin, (await peer.ReadToCloseAsync()).How);
    }

    [Fact]
    public async Task A_write_stall_ends_with_a_fin_behind_the_bytes_already_sent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = await TestSite.StartAsync(PeerMode.Raw, o => o with
        {
            Delivery = DeliveryMode.Written,
            IdleTimeout = Timeout.InfiniteTimeSpan,
            Limits = new PeerLimits { WriteStallTimeout = TimeSpan.FromSeconds(5) },
        }, time);
        var agent = TrustedAgent(b);
        using var peer = await TcpEnd.ConnectAsync(b.Port);
        await peer.SendAsync(RawDeclareAndKnock(agent.Agent));
        Assert.Equal('A', (await peer.ReadFrameAsync()).Type);
        await b.WaitForStateAsync(s => s.State == ConnectionState.Open);

        // The peer stops reading; the node answers with more than the socket buffers hold.
        var big = Json($$"""{"pad":"{{new string('x', 512 * 1024)}}"}""");
        var sends = Enumerable.Range(0, 64).Select(_ => b.Node.SendAsync(agent.Agent, big)).ToArray();
        var closed = b.WaitForCloseAsync();
        using (var deadline = new CancellationTokenSource(TestSite.Deadline))
        {
            // Fake time moves only once the flush waits on the peer; each step gives the node a moment to get there.
            while (!closed.IsCompleted)
            {
                deadline.Token.ThrowIfCancellationRequested();
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(closed, Task.Delay(50, deadline.Token));
            }
        }

        Assert.Equal(CloseReason.WriteStalled, (await closed).CloseReason);
        var (how, bytes) = await peer.ReadToCloseAsync();
        Assert.Equal(TcpClose.Fin, how);
        Assert.True(bytes > 0);
        await Task.WhenAll(sends.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        Assert.Contains(sends, s => s.IsFaulted);
    }

    private static PeerDestination Destination(RawResponder responder) =>
        new(AgentKey.Generate("127.0.0.1", 1).Agent, "127.0.0.1", responder.Port);

    private static byte[] Count(long count)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(body, count);
        return body;
    }
}
