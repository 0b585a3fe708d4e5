using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Tests.Peers;

namespace MyChips.Protocol.Tests.EchoXx;

/// <summary>A node runs its protocol over sockets it did not connect itself (as after a hole punch), each side in the role agreed.</summary>
public sealed class EchoXxAdoptTests
{
    [Fact]
    public async Task Two_adopted_sockets_carry_a_handshake_and_lines()
    {
        var (first, second) = await ConnectedPairAsync();
        await using var clientNode = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = EchoXxFrames.NewKeyPair().Private });
        await using var serverNode = new ProtocolNode(EchoXxDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = EchoXxFrames.NewKeyPair().Private });
        var serverSession = new EchoServerSession();
        var clientSession = new EchoClientSession();

        serverNode.Adopt(second, ConnectionRole.Responder, serverSession);
        var client = clientNode.Adopt(first, ConnectionRole.Initiator, clientSession);
        await clientSession.Opened.WaitAsync(TestSite.Deadline);
        await client.SendLineAsync("over an adopted socket");

        Assert.Equal("over an adopted socket", await clientSession.Heard.ReadAsync().AsTask().WaitAsync(TestSite.Deadline));
        Assert.Single(serverNode.Connections);
    }

    [Fact]
    public async Task A_socket_that_is_not_connected_is_refused()
    {
        await using var node = new ProtocolNode(EchoXxDescription.Instance);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.Throws<ArgumentException>(() => node.Adopt(socket, ConnectionRole.Initiator, new EchoClientSession()));
    }

    private static async Task<(Socket, Socket)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var dialler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepted = listener.AcceptAsync();
        await dialler.ConnectAsync(listener.LocalEndPoint!);
        return (dialler, await accepted);
    }
}
