using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>A message on its way: queued on a channel, written on a connection, then receipted or failed exactly once.</summary>
internal sealed class OutgoingMessage : TaskCompletionSource<DeliveryReceipt>
{
    private const int Queued = 0;
    private const int Taken = 1;

    private int _state;

    public OutgoingMessage(PeerDestination destination, ReadOnlyMemory<byte> json, ConnectionTicket? ticket, DeliveryMode mode)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Destination = destination;
        Json = json;
        Ticket = ticket;
        Mode = mode;
    }

    public PeerDestination Destination { get; }
    public ReadOnlyMemory<byte> Json { get; }
    public ConnectionTicket? Ticket { get; }

    /// <summary>As the first message of a connection, it opens it with I: it carries a ticket, or is a tally ticket itself.</summary>
    public bool OpensWithTicket => Ticket is not null || (_opensWithTicket ??= FirstMessageJson.IsTallyTicket(Json.Span));
    private bool? _opensWithTicket;
    public DeliveryMode Mode { get; }

    /// <summary>Set when written: the connection negotiated receipts and the message waits for one.</summary>
    public bool AwaitsReceipt { get; set; }

    /// <summary>Its position on the connection that wrote it (from 1); 0 until written.</summary>
    public long Sequence { get; set; }

    /// <summary>How many connections closed under it before it was written.</summary>
    public int Attempts { get; set; }

    /// <summary>Claims the message for writing; false when it was canceled (or failed) meanwhile.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>Gives the message back after a connection closed before writing it.</summary>
    public void Release() => Volatile.Write(ref _state, Queued);

    /// <summary>Cancels the message if it is still waiting to be written.</summary>
    public bool TryCancel()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued) return false;
        Fail(DeliveryFailure.Canceled, "The send was canceled before the message was written.");
        return true;
    }

    public void Fail(DeliveryFailure reason, string message)
    {
        if (TrySetException(new DeliveryFailedException(reason, $"Message to {Destination.Agent} not delivered: {message}")))
            PeerMetrics.DeliveryFailed(reason);
    }
}
