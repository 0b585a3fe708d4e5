using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using MyChips.Protocol.Connections;
using MyChips.Protocol.Traversal.Calls;

namespace MyChips.Protocol.Traversal.Direct;

/// <summary>
/// What both roles of a direct channel do with messages and calls: the spec's actions, shared by the two sessions.
/// A call's keys come from a fresh X25519 exchange in Offer and Accept; its media go over UDP when the punch opened a
/// UDP path, otherwise as Media packets on the channel.
/// </summary>
internal sealed class CallDesk(Socket? udp, IPEndPoint? udpPeer)
{
    private readonly Channel<string> _messages = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Channel<MediaCall> _incoming = Channel.CreateBounded<MediaCall>(4);
    private readonly Channel<CallEnding> _endings = Channel.CreateBounded<CallEnding>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
    private CallKeyExchange? _exchange;
    private string? _callId;
    private TaskCompletionSource<MediaCall>? _placing;
    private MediaCall? _current;

    public ProtocolConnection Connection { get; set; } = null!;

    public ChannelReader<string> Messages => _messages.Reader;

    public ChannelReader<MediaCall> IncomingCalls => _incoming.Reader;

    public ChannelReader<CallEnding> Endings => _endings.Reader;

    /// <summary>Begins placing a call; the returned task completes when the other side accepts.</summary>
    public Task<MediaCall> BeginCall()
    {
        _placing = new TaskCompletionSource<MediaCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _placing.Task;
    }

    public ValueTask<ActionOutcome> HeardAsync(string text)
    {
        _messages.Writer.TryWrite(text);
        return new(ActionOutcome.Continue);
    }

    public async ValueTask<ActionOutcome> OfferAsync()
    {
        _exchange?.Dispose();
        _exchange = CallKeyExchange.Start();
        _callId = Guid.NewGuid().ToString("N");
        await Connection.SendOfferAsync(new CallSetup(_callId, _exchange.PublicKey.ToArray(), LocalUdp()));
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> AcceptOfferAsync(CallSetup offer)
    {
        using var exchange = CallKeyExchange.Start();
        if (!TryKeys(exchange, offer, isOfferer: false, out var keys)) return ActionOutcome.Close("a call offer without a valid key");
        _callId = offer.Call;
        _placing?.TrySetException(new InvalidOperationException("The other side called at the same time; its call was taken instead."));
        await Connection.SendAcceptAsync(new CallSetup(offer.Call, exchange.PublicKey.ToArray(), LocalUdp()));
        _current = Media(keys);
        if (!_incoming.Writer.TryWrite(_current)) return ActionOutcome.Close("calls arrive faster than they are taken");
        return ActionOutcome.Continue;
    }

    public ValueTask<ActionOutcome> AcceptedAsync(CallSetup answer)
    {
        if (answer.Call != _callId || _exchange is null) return new(ActionOutcome.Close("an answer to a call that was not offered"));
        if (!TryKeys(_exchange, answer, isOfferer: true, out var keys)) return new(ActionOutcome.Close("a call answer without a valid key"));
        _current = Media(keys);
        _placing?.TrySetResult(_current);
        return new(ActionOutcome.Continue);
    }

    public ValueTask<ActionOutcome> MediaAsync(ReadOnlyMemory<byte> sealedMedia)
    {
        _current?.Deliver(sealedMedia.Span); // the call judges it: forged, replayed and stray datagrams are only counted
        return new(ActionOutcome.Continue);
    }

    public async ValueTask<ActionOutcome> EndedAsync(CallEnding ending)
    {
        await EndAsync(ending);
        return ActionOutcome.Continue;
    }

    public async ValueTask<ActionOutcome> EndCallAsync()
    {
        var ending = new CallEnding(_callId ?? "", "hung up");
        await Connection.SendHangupAsync(ending);
        await EndAsync(ending);
        return ActionOutcome.Continue;
    }

    public async ValueTask ClosedAsync()
    {
        _messages.Writer.TryComplete();
        _incoming.Writer.TryComplete();
        _placing?.TrySetException(new InvalidOperationException("The channel closed before the call was answered."));
        if (_current is not null) await _current.DisposeAsync().ConfigureAwait(false);
        _exchange?.Dispose();
    }

    private async ValueTask EndAsync(CallEnding ending)
    {
        _placing?.TrySetException(new InvalidOperationException($"The call ended before it was answered: {ending.Reason}"));
        if (_current is not null) await _current.DisposeAsync();
        _current = null;
        _endings.Writer.TryWrite(ending);
    }

    private MediaCall Media(CallKeys keys) => udp is not null && udpPeer is not null
        ? MediaCall.OverUdp(udp, udpPeer, keys, ownsSocket: false)
        : MediaCall.OverChannel((datagram, ct) => Connection.SendMediaAsync(datagram, ct), keys);

    private string? LocalUdp() => udp is not null && udpPeer is not null ? udp.LocalEndPoint?.ToString() : null;

    private bool TryKeys(CallKeyExchange exchange, CallSetup setup, bool isOfferer, out CallKeys keys)
    {
        try
        {
            keys = exchange.Complete(setup.Key, Encoding.UTF8.GetBytes(setup.Call), isOfferer);
            return true;
        }
        catch (ArgumentException)
        {
            keys = null!;
            return false;
        }
    }
}
