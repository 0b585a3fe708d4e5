namespace MyChips.Protocol.Peers;

/// <summary>
/// Bounds that keep a node serving its legitimate peers while others misbehave. Connection counts apply to
/// inbound connections (outbound ones are the node's own); a connection over a limit is closed at once,
/// silently, before any byte is read.
/// </summary>
public sealed record PeerLimits
{
    /// <summary>Inbound connections, open or in their handshake, from all addresses. Default 10,000.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Inbound connections, open or in their handshake, from one IP address. Default 64.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>Inbound connections still in their handshake, from all addresses. Default 512.</summary>
    public int MaxPendingHandshakes { get; init; } = 512;

    /// <summary>Inbound connections still in their handshake, from one IP address. Default 16.</summary>
    public int MaxPendingHandshakesPerAddress { get; init; } = 16;

    /// <summary>
    /// How long one flush may wait for the peer to read before the connection is closed. With one bounded
    /// batch written per flush, this bounds what a peer that stops reading can leave in the outgoing pipe. Default 30 s.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long written Confirmed messages may wait with no receipt before the connection is closed and they
    /// fail; so a peer that withholds receipts cannot make the node hold its messages without end. Default 30 s.
    /// </summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a connection sends its FIN, how long it reads and discards what the peer still sends, waiting for the
    /// peer's FIN, before it releases the socket. Releasing with bytes unread would make the kernel answer with a
    /// reset, which some peers treat as a crash. Zero skips the wait. Default 2 s.
    /// </summary>
    public TimeSpan CloseDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most bytes a closing connection reads and discards before it gives up on the peer's FIN. Default 64 KiB.</summary>
    public int CloseDrainBytes { get; init; } = 64 * 1024;

    internal void Validate()
    {
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), "At least one connection is allowed.");
        if (MaxConnectionsPerAddress < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnectionsPerAddress), "At least one connection per address is allowed.");
        if (MaxPendingHandshakes < 1) throw new ArgumentOutOfRangeException(nameof(MaxPendingHandshakes), "At least one handshake is allowed.");
        if (MaxPendingHandshakesPerAddress < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxPendingHandshakesPerAddress), "At least one handshake per address is allowed.");
        if (WriteStallTimeout <= TimeSpan.Zero && WriteStallTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(WriteStallTimeout), "The write stall timeout must be positive or infinite.");
        if (ReceiptTimeout <= TimeSpan.Zero && ReceiptTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(ReceiptTimeout), "The receipt timeout must be positive or infinite.");
        if (CloseDrainTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CloseDrainTimeout), "The close drain timeout cannot be negative.");
        if (CloseDrainBytes < 0) throw new ArgumentOutOfRangeException(nameof(CloseDrainBytes), "The close drain budget cannot be negative.");
    }
}
