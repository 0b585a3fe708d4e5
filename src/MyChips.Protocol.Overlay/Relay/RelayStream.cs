using System.Threading.Channels;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Relay;

/// <summary>
/// A relay circuit used as a plain byte stream between two contacts, for a protocol that brings its own encryption
/// (a hole punch's fallback: the direct channel's Noise handshake runs inside). The relay's limits apply to it.
/// </summary>
public sealed class RelayStream : IAsyncDisposable
{
    /// <summary>The largest chunk sent in one relay packet (well inside the overlay's 16 KiB frames).</summary>
    public const int MaxChunk = 8 * 1024;

    private readonly Channel<ReadOnlyMemory<byte>> _received = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(64) { SingleReader = true });
    private readonly Action<RelayStream> _ended;
    private volatile string? _endReason;

    internal RelayStream(IOverlayLink relay, uint id, Action<RelayStream> ended) => (Relay, Id, _ended) = (relay, id, ended);

    /// <summary>The link to the relay that carries the circuit.</summary>
    public IOverlayLink Relay { get; }

    /// <summary>The relay's number for the circuit.</summary>
    public uint Id { get; }

    /// <summary>Chunks from the other end, in order; completes when the circuit ends.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Received => _received.Reader;

    /// <summary>Why the circuit ended, once it did.</summary>
    public string? EndReason => _endReason;

    /// <summary>Sends <paramref name="data"/> to the other end, in chunks of at most <see cref="MaxChunk"/> bytes.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        for (var offset = 0; offset < data.Length; offset += MaxChunk)
        {
            if (_endReason is { } reason) throw new OverlayUnreachableException($"the circuit ended: {reason}");
            await Relay.SendRelayedAsync(Id, data.Slice(offset, Math.Min(MaxChunk, data.Length - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    // Waits while 64 chunks are unread: the relay link then slows down rather than memory growing.
    internal async ValueTask ReceiveAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            await _received.Writer.WriteAsync(data).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // ended meanwhile: the chunk has nowhere to go
        }
    }

    internal void Ended(string reason)
    {
        if (_endReason is not null) return;
        _endReason = reason;
        _received.Writer.TryComplete();
        _ended(this);
    }

    public async ValueTask DisposeAsync()
    {
        if (_endReason is not null) return;
        Ended("closed by this side");
        try
        {
            await Relay.HangupAsync(Id, "closed").ConfigureAwait(false);
        }
        catch (OverlayUnreachableException)
        {
            // the relay is gone already
        }
    }
}
