using System.Net;
using System.Net.Sockets;

namespace MyChips.Protocol.Overlay.Transport;

/// <summary>How the socket transport connects and waits.</summary>
public sealed class TcpOverlayOptions
{
    /// <summary>How long one request waits for its answer (libp2p: 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection and its handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections accepted at once; more are closed on arrival.</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>The largest frame accepted (the spec allows 64 KiB).</summary>
    public int MaxFrameLength { get; init; } = 16 * 1024;

    /// <summary>Turns entry-point host names into addresses.</summary>
    public IHostResolver Resolver { get; init; } = SystemHostResolver.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Opens the socket of an outgoing link (null: the engine's own connect). A hole puncher sets one that leaves
    /// from a shared port, so that its punch dials reuse the NAT mapping a peer observed.
    /// </summary>
    public Func<IPEndPoint, CancellationToken, Task<Socket>>? Dialer { get; init; }
}
