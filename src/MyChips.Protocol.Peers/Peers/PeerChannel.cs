using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The virtual channel to one remote agent: the open connections with it (whichever side opened them), the
/// messages waiting for one, and at most one outgoing connect at a time.
/// </summary>
internal sealed class PeerChannel(PeerNode node, AgentId agent)
{
    private const int MaxAttempts = 3;

    private readonly Lock _gate = new();
    private readonly List<PeerConnection> _open = [];
    private readonly Queue<OutgoingMessage> _queue = new();
    private bool _connecting;
    private bool _stopped;

    public AgentId Agent { get; } = agent;

    public int OpenCount
    {
        get
        {
            lock (_gate) return _open.Count;
        }
    }

    /// <summary>Sends on an open connection, or queues the message and starts a connect if none is under way.</summary>
    public void Send(OutgoingMessage message)
    {
        PeerConnection? connection = null;
        var connect = false;
        lock (_gate)
        {
            if (_stopped)
            {
                message.Fail(DeliveryFailure.NodeStopped, "the node is stopping.");
                return;
            }
            if (_open.Count > 0)
            {
                // The newest connection: after a reconnect, older ones are the likelier to be half dead.
                connection = _open[^1];
            }
            else
            {
                _queue.Enqueue(message);
                PeerMetrics.MessagesQueued.Add(1);
                if (!_connecting)
                {
                    _connecting = true;
                    connect = true;
                }
            }
        }
        if (connection is not null) SendOn(connection, message);
        else if (connect) _ = ConnectAsync(message.Destination);
    }

    private void SendOn(PeerConnection connection, OutgoingMessage message)
    {
        if (connection.TryEnqueue(message)) return;
        // Closing, though the node has not yet told the channel: out of the list now, so the message (never queued, so
        // no attempt spent) cannot pick the same connection again.
        Closed(connection);
        Send(message);
    }

    /// <summary>A message its connection closed under before writing it: it was never sent, so it may go on another.</summary>
    public void Resend(OutgoingMessage message)
    {
        if (message.Task.IsCompleted) return;
        if (++message.Attempts >= MaxAttempts)
        {
            if (message.TryTake()) message.Fail(DeliveryFailure.ConnectionLost, "every connection closed before the message could be written.");
            return;
        }
        Send(message);
    }

    /// <summary>A connection with this agent completed its handshake: it carries the queue and later sends.</summary>
    public void Opened(PeerConnection connection)
    {
        OutgoingMessage[] waiting;
        lock (_gate)
        {
            if (connection.IsClosed) return;
            _open.Add(connection);
            waiting = _queue.ToArray();
            _queue.Clear();
            PeerMetrics.MessagesQueued.Add(-waiting.Length);
        }
        foreach (var message in waiting) SendOn(connection, message);
    }

    public void Closed(PeerConnection connection)
    {
        lock (_gate) _open.Remove(connection);
    }

    private async Task ConnectAsync(PeerDestination destination)
    {
        DeliveryFailure? failure = null;
        var reason = "";
        try
        {
            await node.ConnectAsync(destination, this).ConfigureAwait(false);
        }
        catch (DeliveryFailedException e)
        {
            failure = e.Reason;
            reason = e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = DeliveryFailure.ConnectFailed;
            reason = e.Message;
        }
        // One decision, under the lock, about what the queue holds now: another connect for it, or settling it. Once
        // _connecting is false a new send starts a connect of its own, so nothing taken here can be a later send's.
        bool again, reroute;
        OutgoingMessage[] leftover = [];
        lock (_gate)
        {
            // Messages queued after the handshake drained the queue (the connection closed meanwhile) still
            // deserve a connection of their own; after a failed connect, they share its fate.
            again = failure is null && _queue.Count > 0 && _open.Count == 0 && !_stopped;
            _connecting = again;
            if (!again)
            {
                leftover = _queue.ToArray();
                _queue.Clear();
                PeerMetrics.MessagesQueued.Add(-leftover.Length);
            }
            // An inbound connection opened meanwhile: it takes the queue instead.
            reroute = _open.Count > 0 && !_stopped;
        }
        if (again)
        {
            _ = ConnectAsync(destination);
            return;
        }
        var settled = _stopped ? DeliveryFailure.NodeStopped : failure ?? DeliveryFailure.ConnectionLost;
        foreach (var message in leftover)
        {
            if (reroute) Send(message);
            else if (message.TryTake()) message.Fail(settled, failure is null ? "the node stopped before a connection opened." : reason);
        }
    }

    /// <summary>
    /// The message an outgoing connection carries in its K or I packet: the oldest queued one still wanting to
    /// go. Null when none is left (an inbound connection took them meanwhile).
    /// </summary>
    public OutgoingMessage? TakeFirst()
    {
        lock (_gate)
        {
            while (_queue.TryDequeue(out var message))
            {
                PeerMetrics.MessagesQueued.Add(-1);
                if (message.TryTake()) return message;
            }
            return null;
        }
    }

    /// <summary>The node is stopping: fail what waits, refuse new sends.</summary>
    public void Stop()
    {
        OutgoingMessage[] waiting;
        lock (_gate)
        {
            _stopped = true;
            waiting = _queue.ToArray();
            _queue.Clear();
            PeerMetrics.MessagesQueued.Add(-waiting.Length);
        }
        foreach (var message in waiting)
        {
            if (message.TryTake()) message.Fail(DeliveryFailure.NodeStopped, "the node stopped before a connection opened.");
        }
    }
}
