using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>The rendezvous server's relay as a punch fallback: connect to its relay port, name the circuit, wait until the other side joined.</summary>
internal sealed class RendezvousRelay(IPEndPoint relay) : IRelayFallback
{
    public async Task<Socket> OpenCircuitAsync(ReadOnlyMemory<byte> circuit, CancellationToken cancellationToken)
    {
        if (circuit.Length != RelayCircuits.CircuitIdLength) throw new ArgumentException("A circuit id is 16 bytes.", nameof(circuit));
        var socket = new Socket(relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(relay, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(circuit, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var joined = new byte[1];
            var n = await socket.ReceiveAsync(joined.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n != 1 || joined[0] != RelayCircuits.Joined) throw new HolePunchException("The relay closed the circuit before the other side joined.");
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
