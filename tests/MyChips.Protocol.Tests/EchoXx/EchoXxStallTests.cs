using System.Buffers;
using System.Net;
using System.Net.Sockets;
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
            LocalStaticPrivateKey = NewPrivateKey(),
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
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        using var transport = await HandshakeAsync(socket);
        var session = await accepted.Reader.ReadAsync().AsTask().WaitAsync(TestSite.Deadline);

        await socket.SendAsync(FrameOf(transport, TextCodec.ToBytes("flood me")), SocketFlags.None);

        var reason = await session.Closed.WaitAsync(TestSite.Deadline);
        Assert.True(reason.Kind == ConnectionCloseKind.SocketError, reason.ToString());
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

    /// <summary>The client's side of XX by hand, over the raw socket: a peer built from the Noise spec alone.</summary>
    private static async Task<NoiseTransport> HandshakeAsync(Socket socket)
    {
        using var client = new HandshakeState(Xx, NoiseRole.Initiator, new NoiseHandshakeOptions { LocalStaticPrivateKey = NewPrivateKey() });
        await socket.SendAsync(HandshakeFrame(client, PacketType.Hello));
        var header = new byte[5];
        await ReadExactlyAsync(socket, header);
        var answer = new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
        await ReadExactlyAsync(socket, answer);
        client.ReadMessage(answer, Span<byte>.Empty);
        await socket.SendAsync(HandshakeFrame(client, PacketType.Finish));
        return client.Split();
    }

    private static byte[] HandshakeFrame(HandshakeState state, PacketType type)
    {
        var wire = new ArrayBufferWriter<byte>();
        var length = state.GetMessageLength(0);
        state.WriteMessage(default, FrameCodec.BeginFrame(wire, type, length));
        FrameCodec.CompleteFrame(wire, length);
        return wire.WrittenSpan.ToArray();
    }

    private static byte[] FrameOf(NoiseTransport transport, byte[] plaintext)
    {
        var wire = new ArrayBufferWriter<byte>();
        var length = plaintext.Length + NoiseTransport.TagLength;
        transport.Encrypt(plaintext, FrameCodec.BeginFrame(wire, PacketType.Line, length));
        FrameCodec.CompleteFrame(wire, length);
        return wire.WrittenSpan.ToArray();
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestSite.Deadline);
            if (n == 0) throw new IOException("The server closed during the handshake.");
            read += n;
        }
    }

    private static byte[] NewPrivateKey()
    {
        var (privateKey, publicKey) = (new byte[32], new byte[32]);
        X25519Keys.GenerateKeyPair(privateKey, publicKey);
        return privateKey;
    }
}
