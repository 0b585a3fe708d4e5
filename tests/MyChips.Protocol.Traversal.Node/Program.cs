using System.Globalization;
using System.Net;
using MyChips.Protocol.Traversal.Node;
using MyChips.Protocol.Traversal.Rendezvous;

// traversal-node rendezvous <ip:port>
// traversal-node overlay-relay <ip:port>
// traversal-node overlay-peer <bind ip> <relay ip:port> <private key hex> <contact public key hex> (--connect | --accept) [tone frames] [timed datagrams] [attempt ms]
// traversal-node peer <name> <server ip:port> <bind ip> (--connect <peer> | --accept) [tone frames] [timed datagrams] [attempt ms]
try
{
    switch (args)
    {
        case ["rendezvous", var listen]:
            await using (var server = RendezvousServer.Start(IPEndPoint.Parse(listen), new RendezvousServerOptions { StaticPrivateKey = NewKey() }))
            {
                Console.WriteLine($"ready {server.LocalEndPoint} relay {server.RelayPort}");
                await Console.In.ReadToEndAsync(); // runs until the bench closes its input
                Console.WriteLine($"relayed {server.Relayed.Circuits} {server.Relayed.Bytes}");
            }
            return 0;
        case ["overlay-relay", var listen]:
            await OverlayPeerCommand.RunRelayAsync(IPEndPoint.Parse(listen));
            return 0;
        case ["overlay-peer", var bind, var relay, var privateKey, var contactKey, var mode, .. var rest]:
            if (mode is not ("--connect" or "--accept")) throw new ArgumentException($"expected --connect or --accept, got {mode}");
            int OverlayNumber(int i, int fallback) => rest.Length > i ? int.Parse(rest[i], CultureInfo.InvariantCulture) : fallback;
            return await OverlayPeerCommand.RunPeerAsync(new OverlayPeerArguments(
                IPAddress.Parse(bind), relay, privateKey, contactKey, mode == "--connect", OverlayNumber(0, 200), OverlayNumber(1, 1000), TimeSpan.FromMilliseconds(OverlayNumber(2, 1500))));
        case ["peer", var name, var server, var bind, var mode, .. var rest]:
            var numbers = rest.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
            string? connect = null;
            if (mode == "--connect") { connect = numbers[0]; numbers.RemoveAt(0); }
            else if (mode != "--accept") throw new ArgumentException($"expected --connect <peer> or --accept, got {mode}");
            int Number(int i, int fallback) => numbers.Count > i ? int.Parse(numbers[i], CultureInfo.InvariantCulture) : fallback;
            return await PeerCommand.RunAsync(new PeerArguments(name, IPEndPoint.Parse(server), IPAddress.Parse(bind), connect, Number(0, 200), Number(1, 1000), TimeSpan.FromMilliseconds(Number(2, 1500))));
        default:
            Console.Error.WriteLine("usage: traversal-node rendezvous <ip:port> | overlay-relay <ip:port> | overlay-peer <bind ip> <relay ip:port> <private key hex> <contact public key hex> (--connect | --accept) [tone frames] [timed datagrams] [attempt ms] | peer <name> <server ip:port> <bind ip> (--connect <peer> | --accept) [tone frames] [timed datagrams] [attempt ms]");
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or RendezvousException or MyChips.Protocol.Traversal.Punching.HolePunchException or MyChips.Protocol.Overlay.Transport.OverlayUnreachableException)
{
    Console.Error.WriteLine($"traversal-node: {e.Message}");
    return 1;
}

static byte[] NewKey()
{
    var (privateKey, publicKey) = (new byte[32], new byte[32]);
    MyChips.Protocol.Noise.X25519Keys.GenerateKeyPair(privateKey, publicKey);
    return privateKey;
}
