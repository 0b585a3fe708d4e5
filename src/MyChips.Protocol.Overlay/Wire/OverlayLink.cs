using System.Collections.Concurrent;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Overlay.Identity;
using MyChips.Protocol.Overlay.Messaging;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Wire;

/// <summary>
/// One overlay connection as a link: the requests it has sent and waits on (bounded, each with a timeout), and
/// what its session received, passed to the node. Both roles share it; only the handshake differs.
/// </summary>
internal sealed partial class OverlayLink(ProtocolConnection connection, IOverlayHandler handler, TcpOverlayTransport transport) : IOverlayLink
{
    private const int MaxPending = 64;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<object>> _pending = new();
    private int _nextRequest;
    private PeerInfo? _peer;

    public PeerInfo Peer => _peer ?? throw new InvalidOperationException("The handshake has not introduced the peer yet.");

    public bool IsOpen => _peer is not null && connection.CloseReason is null;

    public ProtocolConnection Connection => connection;

    /// <summary>The handshake finished and the peer introduced itself.</summary>
    public void Introduce(Intro intro)
    {
        var flags = (PeerFlags)intro.Flags & (PeerFlags.Reachable | PeerFlags.Relay | PeerFlags.EntryPoint | PeerFlags.Punch); // unknown bits: later extensions
        var address = (flags & PeerFlags.Reachable) != 0 ? intro.Address : null;
        _peer = PeerInfo.From(connection.PeerStaticKey.ToArray(), address, flags);
    }

    public static Intro IntroOf(PeerInfo self) => new((uint)self.Flags, self.Address);

    public async ValueTask<IReadOnlyList<PeerInfo>> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        var answer = await RequestAsync(id => connection.SendFindNodeAsync(new NodeQuery(id, target.ToArray()), cancellationToken), cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<PeerInfo>)answer;
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken = default) =>
        await RequestAsync(id => connection.SendPingAsync(new Probe(id), cancellationToken), cancellationToken).ConfigureAwait(false);

    public async ValueTask SendFindMeAsync(FindMePacket packet, CancellationToken cancellationToken = default) =>
        await Guard(connection.SendFindMeAsync(new Sealed(packet.Id.ToArray(), packet.Ttl, packet.RegionBits, packet.Region.ToArray(), packet.Sealed.ToArray()), cancellationToken)).ConfigureAwait(false);

    public async ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default) =>
        await Guard(connection.SendTextAsync(new Note(text), cancellationToken)).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        connection.Close();
        return ValueTask.CompletedTask;
    }

    private async Task<object> RequestAsync(Func<uint, ValueTask> send, CancellationToken cancellationToken)
    {
        if (!IsOpen) throw new OverlayUnreachableException($"the link to {_peer} is closed");
        if (_pending.Count >= MaxPending) throw new OverlayUnreachableException($"{MaxPending} requests to {_peer} wait already");
        var id = (uint)Interlocked.Increment(ref _nextRequest);
        var answer = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            await Guard(send(id)).ConfigureAwait(false);
            return await answer.Task.WaitAsync(transport.Options.RequestTimeout, transport.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new OverlayUnreachableException($"{_peer} did not answer within {transport.Options.RequestTimeout}", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async ValueTask Guard(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw new OverlayUnreachableException($"the link to {_peer} failed: {e.Message}", e);
        }
    }

    // What the session received, in its machine's Open state.

    public async ValueTask<ActionOutcome> AnswerFindNodeAsync(NodeQuery query)
    {
        if (query.Target.Length != NodeId.Length) return ActionOutcome.Close("a FindNode target that is not a 32-byte id");
        var peers = handler.OnFindNode(this, new NodeId(query.Target));
        await connection.SendNodesAsync(new NodeList(query.Request, PeerListCodec.Encode(peers))).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakeNodes(NodeList list)
    {
        if (PeerListCodec.Decode(list.Peers) is not { } peers) return new(ActionOutcome.Close("a malformed or oversized peer list"));
        if (_pending.TryGetValue(list.Request, out var waiting)) waiting.TrySetResult(peers);
        return new(ActionOutcome.Continue);
    }

    public async ValueTask<ActionOutcome> AnswerPingAsync(Probe probe)
    {
        await connection.SendPongAsync(probe).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> TakePong(Probe probe)
    {
        if (_pending.TryGetValue(probe.Request, out var waiting)) waiting.TrySetResult(probe);
        return new(ActionOutcome.Continue);
    }

    public async ValueTask<ActionOutcome> TakeFindMeAsync(Sealed body)
    {
        var region = body.Region.Length == NodeId.Length ? new NodeId(body.Region) : default;
        var packet = new FindMePacket(body.Id, body.Ttl, region, body.Region.Length == NodeId.Length ? body.RegionBits : -1, body.Seal);
        await handler.OnFindMeAsync(this, packet).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> TakeTextAsync(Note note)
    {
        await handler.OnTextAsync(this, note.Text).ConfigureAwait(false);
        return ActionOutcome.Continue;
    }

    public void Closed()
    {
        foreach (var waiting in _pending.Values) waiting.TrySetException(new OverlayUnreachableException($"the link to {_peer} closed"));
        if (_peer is not null) handler.OnLinkClosed(this);
    }
}
