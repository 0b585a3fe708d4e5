using System.Net;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Wire;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// One peer at a CIYAM listener. Every command line goes through the spec's Responder machine, which refuses
/// one out of order; the actions answer it, then issue the listener's own next command (a get after the peer's
/// put, a put after its get, sometimes a chk or pip) and end the turn with <c>(okay)</c>.
/// </summary>
public sealed partial class CiyamListenerSession : IResponderActions
{
    private readonly CiyamListener _listener;
    private readonly CiyamWire _wire;
    private readonly ResponderConnection _machine;
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _helpUsed;
    private bool _peerPipped;
    private bool? _firstFound;

    internal CiyamListenerSession(CiyamListener listener, Stream stream, IPEndPoint remote)
    {
        _listener = listener;
        Remote = remote;
        _wire = new CiyamWire(stream, Options.Time, Options.Waiting);
        _machine = new ResponderConnection(this);
        _lastProof = Options.Time.GetUtcNow();
    }

    public IPEndPoint Remote { get; }

    public CiyamTraffic Traffic { get; } = new();

    public ResponderState State => _machine.State;

    /// <summary>Why the session ended: <c>bye</c>, or the error it ended with.</summary>
    public Task<string> Ended => _ended.Task;

    private CiyamPeerOptions Options => _listener.Options;

    private FilesArea Area => _listener.Area;

    private TimeSpan Request => Options.Timeouts.Request;

    internal async Task RunAsync()
    {
        var reason = "bye";
        try
        {
            await _wire.WriteLineAsync(CiyamReplies.Version).ConfigureAwait(false);
            await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
            var first = true;
            while (!_machine.IsFinal)
            {
                var line = await _wire.ReadLineAsync(CiyamReplies.MaxCommandLine, first ? Options.Timeouts.Greeting : Request).ConfigureAwait(false);
                first = false;
                await HandleAsync(line).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is CiyamProtocolException or System.Security.Cryptography.CryptographicException)
        {
            reason = e.Message;
            await TryWriteErrorAsync(e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            reason = e.Message;
        }
        finally
        {
            await _machine.FailedAsync(reason).ConfigureAwait(false);
            await _wire.DisposeAsync().ConfigureAwait(false);
            _ended.TrySetResult(reason);
        }
    }

    /// <summary>Ends the session from outside: its pending read fails and it closes.</summary>
    internal Task StopAsync() => _wire.DisposeAsync().AsTask();

    private async Task HandleAsync(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? line : line[..space];
        var arguments = space < 0 ? "" : line[(space + 1)..].Trim();
        if (word is "help") word = "?";
        if (!PacketTypes.TryFromKeyword(System.Text.Encoding.UTF8.GetBytes(word), out var command))
            throw new CiyamProtocolException($"unknown command '{word}'");
        // A second help is taken as bye, as CIYAM does.
        if (command == PacketType.Help && _helpUsed) command = PacketType.Bye;
        if (command == PacketType.Pip && _peerPipped) throw new CiyamProtocolException("pip twice in a row");
        _peerPipped = command == PacketType.Pip;
        var outcome = command switch
        {
            PacketType.Check => await _machine.ReceivedCheckAsync(arguments).ConfigureAwait(false),
            PacketType.Get => await _machine.ReceivedGetAsync(arguments).ConfigureAwait(false),
            PacketType.Put => await _machine.ReceivedPutAsync(arguments).ConfigureAwait(false),
            PacketType.Pip => await _machine.ReceivedPipAsync(arguments).ConfigureAwait(false),
            PacketType.Tls => await _machine.ReceivedTlsAsync().ConfigureAwait(false),
            PacketType.Help => await _machine.ReceivedHelpAsync().ConfigureAwait(false),
            _ => await _machine.ReceivedByeAsync().ConfigureAwait(false),
        };
        if (!outcome.Fired) throw new CiyamProtocolException($"invalid state for {word}");
        if (_firstFound is { } found)
        {
            _firstFound = null;
            await (found ? _machine.FoundAsync() : _machine.HelloExchangedAsync()).ConfigureAwait(false);
        }
    }

    private async Task TryWriteErrorAsync(string message)
    {
        try
        {
            await _wire.WriteLineAsync(CiyamReplies.ErrorPrefix + message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // The peer is gone; the session ends all the same.
        }
    }

    private static string[] Split(string arguments, int min, int max, string usage)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= min && parts.Length <= max ? parts : throw new CiyamProtocolException($"invalid command usage '{usage}'");
    }

    private static string RequireHash(string text) =>
        StoredFile.IsHash(text) ? text : throw new CiyamProtocolException($"'{text}' is not a file hash");
}
