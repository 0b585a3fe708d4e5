using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Traversal.Punching;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>
/// A node's connection to a rendezvous server: registered under a name, it knows the TCP and UDP addresses the server
/// sees it at (its <see cref="Plan"/> for a hole punch), carries punch signals to and from other clients by name, and
/// offers the server's relay as the fallback.
/// </summary>
public sealed class RendezvousClient : IAsyncDisposable
{
    private readonly ProtocolNode _node;
    private readonly ConcurrentDictionary<string, Channel<PunchMessage>> _peers = new(StringComparer.Ordinal);
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IPEndPoint _server;
    private RendezvousClientSession _session = null!;
    private ProtocolConnection _connection = null!;

    private RendezvousClient(string name, ProtocolNode node, IPEndPoint server)
    {
        Name = name;
        _node = node;
        _server = server;
    }

    public string Name { get; }

    /// <summary>This side of a hole punch: the shared local port, and the addresses the server observed.</summary>
    public PunchPlan Plan { get; private set; } = null!;

    /// <summary>The server's relay, or null when it does not relay or <see cref="RendezvousClientOptions.AllowRelay"/> is off.</summary>
    public IRelayFallback? Relay { get; private set; }

    /// <summary>Names of clients that began a punch towards this one (their first CONNECT); answer with <see cref="SignallingTo"/>.</summary>
    public ChannelReader<string> Requests => _requests.Reader;

    /// <summary>Connects from a fresh shared port, registers <paramref name="name"/>, and probes the UDP address from <paramref name="udp"/> (which the caller keeps owning).</summary>
    /// <exception cref="RendezvousException">The server refused the name or closed the connection.</exception>
    public static async Task<RendezvousClient> ConnectAsync(IPEndPoint server, string name, Socket? udp, RendezvousClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        var node = new ProtocolNode(RendezvousDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = options.StaticPrivateKey });
        var client = new RendezvousClient(name, node, server);
        try
        {
            var socket = await PortSharing.ConnectTcpAsync(new IPEndPoint(options.LocalAddress ?? AnyOf(server), 0), server, cancellationToken).ConfigureAwait(false);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            client._session = new RendezvousClientSession(name, client);
            client._connection = node.Adopt(socket, ConnectionRole.Initiator, client._session);
            var observed = await client._session.Observed.WaitAsync(options.RegisterTimeout, cancellationToken).ConfigureAwait(false);
            var observedTcp = IPEndPoint.Parse(observed.Tcp);
            var observedUdp = udp is null ? null : await UdpProbe.AskAsync(udp, server, observed.Probe, cancellationToken: cancellationToken).ConfigureAwait(false);
            client.Plan = new PunchPlan(local, observedTcp, udp, observedUdp);
            if (options.AllowRelay && observed.Relay is { } relayPort) client.Relay = new RendezvousRelay(new IPEndPoint(server.Address, relayPort));
            return client;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The signalling channel to the client named <paramref name="peer"/>, through the server.</summary>
    public ISignallingChannel SignallingTo(string peer) => new PeerSignalling(this, peer, Inbox(peer));

    /// <summary>This side's plan for a punch with <paramref name="peer"/>: the UDP token both derive from the two names.</summary>
    public PunchPlan PlanFor(string peer) => Plan with { UdpToken = UdpTokenFor(Name, peer) };

    internal void Signalled(PunchMessageKind kind, Signal signal)
    {
        IPEndPoint? tcp = null, udp = null;
        if ((signal.Tcp is not null && !IPEndPoint.TryParse(signal.Tcp, out tcp)) || (signal.Udp is not null && !IPEndPoint.TryParse(signal.Udp, out udp)))
            return;
        if (!_peers.ContainsKey(signal.Peer) && (kind != PunchMessageKind.Connect || _peers.Count >= MaxPeers)) return; // bounded: strays and floods are dropped
        var isNew = !_peers.ContainsKey(signal.Peer);
        Inbox(signal.Peer).Writer.TryWrite(new PunchMessage(kind, signal.Attempt, tcp, udp, signal.Circuit ?? default));
        if (isNew) _requests.Writer.TryWrite(signal.Peer);
    }

    private const int MaxPeers = 1024;

    internal void Refused(string refusal)
    {
        foreach (var (peer, inbox) in _peers)
            if (refusal.Contains($"'{peer}'", StringComparison.Ordinal)) inbox.Writer.TryComplete(new RendezvousException(refusal));
    }

    internal void Closed(ConnectionCloseReason reason)
    {
        foreach (var inbox in _peers.Values) inbox.Writer.TryComplete(new RendezvousException($"The rendezvous connection ended: {reason}"));
        _requests.Writer.TryComplete();
    }

    private Channel<PunchMessage> Inbox(string peer) =>
        _peers.GetOrAdd(peer, _ => Channel.CreateBounded<PunchMessage>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest }));

    internal static byte[] UdpTokenFor(string a, string b)
    {
        var (first, second) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
        return SHA256.HashData(Encoding.UTF8.GetBytes($"udp punch\n{first}\n{second}"))[..16];
    }

    private static IPAddress AnyOf(IPEndPoint server) => server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private sealed class PeerSignalling(RendezvousClient client, string peer, Channel<PunchMessage> inbox) : ISignallingChannel
    {
        public async ValueTask SendAsync(PunchMessage message, CancellationToken cancellationToken)
        {
            var allowed = await client._connection.RunAsync(client._session.SignalAsync).ConfigureAwait(false);
            if (!allowed.Fired) throw new RendezvousException($"No signal can be sent in state {client._connection.StateName}.");
            var signal = new Signal(peer, message.Attempt, message.Tcp?.ToString(), message.Udp?.ToString(), message.Circuit.IsEmpty ? null : message.Circuit.ToArray());
            await (message.Kind switch
            {
                PunchMessageKind.Connect => client._connection.SendConnectAsync(signal, cancellationToken),
                PunchMessageKind.Sync => client._connection.SendSyncAsync(signal, cancellationToken),
                _ => client._connection.SendRelayAsync(signal, cancellationToken),
            }).ConfigureAwait(false);
        }

        public async ValueTask<PunchMessage> ReceiveAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException closed) when (closed.InnerException is RendezvousException reason)
            {
                throw new RendezvousException(reason.Message); // the server refused the peer, or the connection ended
            }
        }
    }
}

/// <summary>How a rendezvous client connects.</summary>
public sealed record RendezvousClientOptions
{
    /// <summary>The client's Noise static key (X25519, 32 bytes).</summary>
    public required byte[] StaticPrivateKey { get; init; }

    /// <summary>The local address to connect from; null lets the system choose.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Whether this node lets its traffic go through a relay when punching fails (its user's consent).</summary>
    public bool AllowRelay { get; init; } = true;

    public TimeSpan RegisterTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
