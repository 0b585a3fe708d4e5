using System.Net;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>
/// A peer that completes the handshake, then never reads: a server whose answer is larger than the socket and the
/// send queue together waits for room no longer than the write stall timeout, then closes; nothing hangs.
/// </summary>
public sealed class EchoXxStallTests
{
    private static readonly NoiseProtocol Xx = NoiseProtocol.Parse("Noise_XX_25519_ChaChaPoly_BLAKE2b");

    [Fact]
    public async Task A_peer_that_stops_reading_is_closed_after_the_write_stall_timeout()
    {
        var accepted = Channel.CreateUnbounded<FloodingServerSession>();
        var server = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions
        {
            LocalStaticPrivateKey = EchoXxFrames.NewKeyPair().Private,
            SendQueueCapacity = 1,
            WriteStallTimeout = TimeSpan.FromMilliseconds(300),
            CloseDrainTimeout = TimeSpan.FromMilliseconds(300),
        });
        var endPoint = server.Listen(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var session = new FloodingServerSession();
            accepted.Writer.TryWrite(session);
            return session;
        });
        using var peer = await TcpEnd.ConnectAsync(endPoint.Port);
        using var transport = await HandshakeAsync(peer);
        var session = await accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await peer.SendAsync(EchoXxFrames.Transport(transport, PacketType.Line, TextCodec.ToBytes("flood me")));

        var reason = await session.Closed.WaitAsync(TestSite.Deadline);
        Assert.True(reason.Kind == ConnectionCloseKind.WriteStalled, reason.ToString());
        Assert.Contains("read nothing", reason.Detail);
        Assert.True(session.Sent > 1, $"the server sent {session.Sent} answers before it stalled");
        await server.DisposeAsync().AsTask().WaitAsync(TestSite.Deadline);
    }

    /// <summary>Answers one line with as many large lines as it can send: far more than a socket holds.</summary>
    private sealed class FloodingServerSession : ProtocolSession<ServerConnection>, IServerActions
    {
        private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ConnectionCloseReason> Closed => _closed.Task;

        public int Sent { get; private set; }

        public async ValueTask<ActionOutcome> AnswerAsync(ReadOnlyMemory<byte> greeting)
        {
            await Connection.SendAnswerAsync(ReadOnlyMemory<byte>.Empty);
            return ActionOutcome.Continue;
        }

        public ValueTask<ActionOutcome> CompleteAsync(ReadOnlyMemory<byte> greeting) => new(ActionOutcome.Continue);

        public async ValueTask<ActionOutcome> EchoAsync(string text)
        {
            var large = new string('x', 60_000);
            for (var i = 0; i < 10_000; i++)
            {
                await Connection.SendLineAsync(large); // throws once the stall timeout gave up on the peer
                Sent++;
            }
            return ActionOutcome.Continue;
        }

        protected override void OnClosed(ConnectionCloseReason reason) => _closed.TrySetResult(reason);
    }

    /// <summary>The client's side of XX by hand, over a bare socket; it reads the answer, and nothing after.</summary>
    private static async Task<NoiseTransport> HandshakeAsync(TcpEnd peer)
    {
        using var client = new HandshakeState(Xx, NoiseRole.Initiator, new NoiseHandshakeOptions { LocalStaticPrivateKey = EchoXxFrames.NewKeyPair().Private });
        await peer.SendAsync(EchoXxFrames.Handshake(client, PacketType.Hello));
        var (type, answer) = await peer.ReadFrameAsync();
        Assert.Equal((char)PacketType.Answer, type);
        client.ReadMessage(answer, Span<byte>.Empty);
        await peer.SendAsync(EchoXxFrames.Handshake(client, PacketType.Finish));
        return client.Split();
    }
}
