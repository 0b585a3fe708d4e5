using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Overlay.Relay;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.OverlayPunch;

/// <summary>
/// A relay stream as a stream socket, for code that runs a connection over a socket: a loopback socket pair whose
/// far end is copied to and from the circuit until either side closes.
/// </summary>
internal static class CircuitSocket
{
    public static async Task<Socket> BridgeAsync(RelayStream circuit, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var near = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var accepting = listener.AcceptAsync(cancellationToken).AsTask();
            await near.ConnectAsync(listener.LocalEndPoint!, cancellationToken).ConfigureAwait(false);
            var far = await accepting.ConfigureAwait(false);
            if (!Equals(far.RemoteEndPoint, near.LocalEndPoint))
            {
                // another local process was quicker to the listener: not this circuit's other end
                far.Dispose();
                throw new HolePunchException("Could not pair the relay circuit with a local socket.");
            }
            far.NoDelay = true;
            _ = CopyAsync(far, circuit);
            return near;
        }
        catch
        {
            near.Dispose();
            throw;
        }
    }

    private static async Task CopyAsync(Socket far, RelayStream circuit)
    {
        var outbound = Task.Run(async () =>
        {
            var buffer = new byte[RelayStream.MaxChunk];
            int read;
            while ((read = await far.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false)) > 0)
                await circuit.SendAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
        });
        var inbound = Task.Run(async () =>
        {
            await foreach (var chunk in circuit.Received.ReadAllAsync().ConfigureAwait(false))
                await far.SendAsync(chunk, SocketFlags.None).ConfigureAwait(false);
        });
        try
        {
            await Task.WhenAny(outbound, inbound).ConfigureAwait(false);
        }
        finally
        {
            far.Dispose(); // the other copy then ends too
            await circuit.DisposeAsync().ConfigureAwait(false);
            await Task.WhenAll(outbound, inbound).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }
}
