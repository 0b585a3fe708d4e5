using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Traversal.Rendezvous;

/// <summary>
/// A rendezvous server on a public address: clients register a name over Noise XX, learn the TCP and UDP addresses
/// it sees them at, and exchange hole-punch signals through it; when punching fails, its relay joins their streams
/// (only when <see cref="RendezvousServerOptions.Relay"/> allows it).
/// </summary>
public sealed partial class RendezvousServer : IAsyncDisposable
{
    private readonly ProtocolNode _node;
    private readonly Socket _udp;
    private readonly RelayCircuits? _relay;
    private readonly ConcurrentDictionary<string, RendezvousServerSession> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RendezvousServerSession> _byProbeToken = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _probeLoop;

    private RendezvousServer(ProtocolNode node, Socket udp, RelayCircuits? relay)
    {
        _node = node;
        _udp = udp;
        _relay = relay;
        _probeLoop = AnswerProbesAsync();
    }

    /// <summary>Where clients connect (TCP) and probe (UDP, the same port).</summary>
    public IPEndPoint LocalEndPoint => _node.LocalEndPoint!;

    /// <summary>The relay's port, or null when this server does not relay.</summary>
    public int? RelayPort => _relay?.LocalEndPoint.Port;

    /// <summary>Registered clients now.</summary>
    public int ClientCount => _byName.Count;

    /// <summary>Relay circuits joined so far, and the bytes they carried.</summary>
    public (long Circuits, long Bytes) Relayed => (_relay?.CircuitsJoined ?? 0, _relay?.BytesRelayed ?? 0);

    /// <summary>Starts listening on <paramref name="endPoint"/> (port 0 picks one) for TCP and UDP, and on the relay port.</summary>
    public static RendezvousServer Start(IPEndPoint endPoint, RendezvousServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        var node = new ProtocolNode(RendezvousDescription.Instance, new ConnectionOptions { LocalStaticPrivateKey = options.StaticPrivateKey, MaxConnections = options.MaxClients });
        RendezvousServer? server = null;
        node.Listen(endPoint, () => new RendezvousServerSession(server!));
        var udp = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(node.LocalEndPoint!);
        var relay = options.Relay is { } limits ? new RelayCircuits(new IPEndPoint(endPoint.Address, options.RelayPort), limits) : null;
        server = new RendezvousServer(node, udp, relay);
        return server;
    }

    internal string? TryRegister(string name, RendezvousServerSession session)
    {
        if (!NamePattern().IsMatch(name)) return "a name is 1 to 64 letters, digits, '-', '_' or '.'";
        if (!_byName.TryAdd(name, session)) return $"the name '{name}' is taken";
        _byProbeToken[Convert.ToHexString(session.ProbeToken)] = session;
        return null;
    }

    internal void Unregister(RendezvousServerSession session)
    {
        if (session.Name is not { } name) return;
        _byName.TryRemove(new KeyValuePair<string, RendezvousServerSession>(name, session));
        _byProbeToken.TryRemove(Convert.ToHexString(session.ProbeToken), out _);
    }

    internal RendezvousServerSession? Find(string name) => _byName.GetValueOrDefault(name);

    internal void ExpectCircuit(byte[] circuit) => _relay?.Expect(circuit);

    private async Task AnswerProbesAsync()
    {
        var buffer = new byte[UdpProbe.ProbeLength + 1];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
                var answer = UdpProbe.Answer(buffer.AsSpan(0, result.ReceivedBytes), result.RemoteEndPoint, IsKnownToken);
                if (answer is not null) await _udp.SendToAsync(answer, SocketFlags.None, result.RemoteEndPoint, _stopping.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // an ICMP error for an earlier answer: keep serving
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private bool IsKnownToken(byte[] token) => _byProbeToken.ContainsKey(Convert.ToHexString(token));

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _udp.Dispose();
        await _probeLoop.ConfigureAwait(false);
        await _node.DisposeAsync().ConfigureAwait(false);
        if (_relay is not null) await _relay.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <summary>The rendezvous server's key and limits.</summary>
public sealed record RendezvousServerOptions
{
    /// <summary>The server's Noise static key (X25519, 32 bytes).</summary>
    public required byte[] StaticPrivateKey { get; init; }

    public int MaxClients { get; init; } = 10_000;

    /// <summary>The relay's limits; null when this server does not relay (its operator's consent).</summary>
    public RelayLimits? Relay { get; init; } = new();

    /// <summary>The relay's TCP port; 0 picks one.</summary>
    public int RelayPort { get; init; }
}
