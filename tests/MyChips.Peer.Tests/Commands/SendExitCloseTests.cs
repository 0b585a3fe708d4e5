using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Keys;

namespace MyChips.Peer.Tests.Commands;

/// <summary>
/// `send` exits as soon as its messages are delivered: the peer must see an orderly end (FIN), not a reset,
/// which the deployed JavaScript peer dies of or mistakes for an open connection.
/// </summary>
public sealed class SendExitCloseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("send-exit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_peer_sees_a_fin_when_send_exits_after_its_delivery()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var peerKey = AgentKey.Generate("127.0.0.1", 0);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (clientKey, _) = CliHarness.WriteKey(_folder, "client");

        // A raw-mode peer that knows no extension: it takes N, C and K, and answers with the base protocol's empty A.
        var send = CliHarness.RunExecutableAsync(_folder, "send", $"{peerKey.Agent}@127.0.0.1:{port}", """{"target":"chit","n":1}""",
            "--key", clientKey, "--mode", "raw");
        using var socket = await listener.AcceptSocketAsync().WaitAsync(CliHarness.Deadline);
        Assert.Equal(["N", "C", "K"], [await ReadFrameTypeAsync(socket), await ReadFrameTypeAsync(socket), await ReadFrameTypeAsync(socket)]);
        await socket.SendAsync(new byte[] { 0, 0, 0, 1, (byte)'A' });

        var result = await send.WaitAsync(CliHarness.Deadline);
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("\"confirmation\":\"Written\"", result.StandardOutput, StringComparison.Ordinal);

        // The process is gone: what it left on the socket is an end of stream, or a reset.
        var buffer = new byte[64];
        var closed = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(CliHarness.Deadline);
        Assert.Equal(0, closed);
    }

    private static async Task<string> ReadFrameTypeAsync(Socket socket)
    {
        var header = await ReadExactlyAsync(socket, 5);
        await ReadExactlyAsync(socket, (int)BinaryPrimitives.ReadUInt32BigEndian(header) - 1);
        return ((char)header[4]).ToString();
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var bytes = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(CliHarness.Deadline);
            if (n == 0) throw new IOException($"closed after {read} of {count} bytes");
            read += n;
        }
        return bytes;
    }
}
