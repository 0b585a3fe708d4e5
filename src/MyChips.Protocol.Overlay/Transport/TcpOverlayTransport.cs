using System.Net;
using System.Net.Sockets;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Wire;

namespace MyChips.Protocol.Overlay.Transport;

/// <summary>
/// The overlay on sockets: the overlay spec (spec/overlay.protocol) on the runtime's connection engine, Noise XX
/// with the node's identity as its static key. Listens on <c>listenOn</c>, or accepts nothing if it is null.
/// </summary>
public sealed class TcpOverlayTransport : IOverlayTransport
{
    private readonly ProtocolNode _node;
    private readonly IPEndPoint? _listenOn;
    private IOverlayHandler? _handler;
    private string? _localAddress;

    public TcpOverlayTransport(OverlayIdentity identity, IPEndPoint? listenOn, TcpOverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Options = options ?? new TcpOverlayOptions();
        _listenOn = listenOn;
        _node = new ProtocolNode(OverlayDescription.Instance, new ConnectionOptions
        {
            LocalStaticPrivateKey = identity.PrivateKey,
            MaxConnections = Options.MaxConnections,
            MaxFrameLength = Options.MaxFrameLength,
            TimeProvider = Options.TimeProvider,
        });
    }

    public TcpOverlayOptions Options { get; }

    /// <summary>Raised when a connection ends for any reason but this side's own close: refused input names its rule.</summary>
    public event EventHandler<ConnectionCloseReason>? ConnectionEnded;

    internal void OnConnectionEnded(ConnectionCloseReason reason)
    {
        if (reason.Kind != ConnectionCloseKind.LocalClosed) ConnectionEnded?.Invoke(this, reason);
    }

    public string? LocalAddress => _localAddress;

    /// <summary>The UDP address probe at the listener's port, when this node offers punching.</summary>
    internal UdpObserver? Observer { get; private set; }

    /// <summary>The connections open now, both ways.</summary>
    public int OpenConnections => _node.Connections.Count;

    public void Start(IOverlayHandler handler)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        if (_listenOn is null) return;
        var bound = _node.Listen(_listenOn, () => new ListenerSession(this, handler));
        _localAddress = OverlayAddress.Of(bound);
        if ((handler.Self.Flags & PeerFlags.Punch) != 0) Observer = UdpObserver.TryStart(bound);
    }

    public async ValueTask<IOverlayLink> ConnectAsync(string address, ReadOnlyMemory<byte> expectedKey = default, CancellationToken cancellationToken = default)
    {
        var handler = _handler ?? throw new InvalidOperationException("Start the transport first.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.ConnectTimeout);
        try
        {
            var endPoint = await ResolveAsync(address, timeout.Token).ConfigureAwait(false);
            var session = new DialerSession(this, handler, expectedKey);
            var connection = Options.Dialer is { } dial
                ? _node.Adopt(await dial(endPoint, timeout.Token).ConfigureAwait(false), ConnectionRole.Initiator, session)
                : await _node.ConnectAsync(endPoint, session, cancellationToken: timeout.Token).ConfigureAwait(false);
            try
            {
                return await session.Ready.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                connection.Close();
                throw;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new OverlayUnreachableException($"cannot reach {address}: {e.Message}", e);
        }
    }

    private async Task<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        if (IPEndPoint.TryParse(address, out var literal) && literal.Port != 0) return literal;
        if (!OverlayAddress.TrySplit(address, out var host, out var port))
            throw new OverlayUnreachableException($"'{address}' is not host:port");
        var found = await Options.Resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var first = found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.FirstOrDefault()
            ?? throw new OverlayUnreachableException($"{host} resolves to no address");
        return new IPEndPoint(first, port);
    }

    public ValueTask DisposeAsync()
    {
        Observer?.Dispose();
        return _node.DisposeAsync();
    }
}
