using System.Net;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Connections.Delivery;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The MyCHIPs side of one engine connection, which its role's session owns: who is at the other end, the outbox
/// and its batches, the delivery ledger and receipts, and how the connection ended in MyCHIPs's terms. The engine's
/// <see cref="ProtocolConnection"/> owns the socket, the loops, the spec's timeouts and closing.
/// </summary>
internal sealed partial class PeerConnection
{
    internal const int ReceiptBodyLength = 8;

    private readonly PeerNode _node;
    private readonly IPeerSession _session;
    private readonly long _createdAt;
    private volatile bool _open;
    private int _closed;
    private byte _lastHandshakePacket; // which handshake packet a failed Noise message was, for the close reason

    public PeerConnection(PeerNode node, IPeerSession session, long id, ConnectionDirection direction, EndPoint? remote, long createdAt)
    {
        _node = node;
        _session = session;
        Id = id;
        Direction = direction;
        RemoteEndPoint = remote;
        _createdAt = createdAt;
        _ledger = new DeliveryLedger<OutgoingMessage>(node.Time);
    }

    public long Id { get; }
    public ConnectionDirection Direction { get; }
    public EndPoint? RemoteEndPoint { get; }
    public AgentId RemoteAgent { get; internal set; }

    /// <summary>True once the handshake completed (and, on a strict responder, the initiator confirmed the keys).</summary>
    public bool IsOpen => _open;

    public CloseReason CloseReason { get; private set; }

    /// <summary>Closed, or closing: the engine decided to end the connection.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0 || Engine.CloseReason is not null;

    /// <summary>Completes once the connection, closed, has sent its FIN and released its socket.</summary>
    public Task Ended => Engine.Completion;
    public TimeSpan Age => _node.Time.GetElapsedTime(_createdAt);

    /// <summary>Inbound only: this connection's share of the node's connection and handshake limits.</summary>
    public InboundAdmission.Lease? Lease { get; init; }

    internal PeerNodeOptions Options => _node.Options;
    internal PeerNode Node => _node;

    /// <summary>The engine's connection this one runs on.</summary>
    internal ProtocolConnection Engine => _session.Connection;

    /// <summary>Closes the connection from this side (queued packets go first, then FIN). Idempotent.</summary>
    public void Close() => Engine.Close();

    /// <summary>A handshake packet arrived; if Noise fails to open it, the close names it.</summary>
    internal void Saw(byte packetType) => _lastHandshakePacket = packetType;

    /// <summary>The connection is open: the channel may use it, and receipts awaited since the handshake are timed.</summary>
    internal void MarkOpen()
    {
        _open = true;
        ScheduleReceiptCheck();
        _node.OnOpened(this);
    }

    /// <summary>Adds the delivery of every message this connection holds, queued or awaiting its receipt.</summary>
    public void CollectPending(List<Task> into)
    {
        lock (_outbox)
        {
            foreach (var message in _outbox) into.Add(message.Task);
        }
        var waiting = new List<OutgoingMessage>();
        _ledger.CopyTo(waiting);
        foreach (var message in waiting) into.Add(message.Task);
        _session.CollectPending(into);
    }

    /// <summary>
    /// The engine ended the connection (its FIN is sent): records the reason, fails what was not delivered and hands
    /// what was never written to another connection.
    /// </summary>
    internal void Closed(ConnectionCloseReason closed)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        var reason = CloseReasons.FromEngine(closed, (PacketType)_lastHandshakePacket);
        CloseReason = reason;
        var wasOpen = _open;
        _receiptTimer?.Dispose();
        var failure = _node.IsStopping ? DeliveryFailure.NodeStopped
            : reason == CloseReason.HandshakeTimeout ? DeliveryFailure.HandshakeTimeout
            : wasOpen ? DeliveryFailure.ConnectionLost
            : DeliveryFailure.HandshakeFailed;
        OutgoingMessage[] unwritten;
        lock (_outbox)
        {
            unwritten = _outbox.ToArray();
            _outbox.Clear();
        }
        _ledger.Close((this, failure, reason), static (s, _, message) =>
            message.Fail(s.failure, $"connection {s.Item1.Id} closed ({s.reason.ToTag()}) before the message was acknowledged."));
        FailUnflushed();
        _session.OnPeerClosed(failure, reason, wasOpen);
        _node.OnClosed(this);
        // Never written: another connection may carry them (this one is out of the channel now).
        foreach (var message in unwritten) _node.Resend(message);
    }
}
