using System.Buffers;
using System.Net;
using System.Text;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Wire;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// One peer at a CIYAM listener, on the connection engine. Every command line goes through the spec's Responder
/// machine, which refuses one out of order; the actions answer it, then issue the listener's own next command (a
/// get after the peer's put, a put after its get, sometimes a chk or pip) and end the turn with <c>(okay)</c>. The
/// replies and transfers inside a turn are read and written by the action itself, holding the read turn.
/// </summary>
public sealed partial class CiyamListenerSession : ProtocolSession<ResponderConnection>, IResponderActions
{
    private readonly CiyamListener _listener;
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CiyamLink _wire = null!;
    private string? _endReason;
    private bool _helpUsed;
    private bool _peerPipped;

    internal CiyamListenerSession(CiyamListener listener)
    {
        _listener = listener;
        _lastProof = Options.Time.GetUtcNow();
    }

    public IPEndPoint Remote { get; private set; } = new(IPAddress.None, 0);

    public CiyamTraffic Traffic { get; } = new();

    public ResponderState State => Machine.State;

    /// <summary>Why the session ended: <c>bye</c>, or the error it ended with.</summary>
    public Task<string> Ended => _ended.Task;

    private CiyamPeerOptions Options => _listener.Options;

    private FilesArea Area => _listener.Area;

    private TimeSpan Request => Options.Timeouts.Request;

    /// <summary>Greets with the version and <c>(okay)</c>; one peer over the maximum is answered with an error and closed.</summary>
    protected override async ValueTask<ActionOutcome> OnConnectedAsync()
    {
        Remote = Connection.RemoteEndPoint as IPEndPoint ?? Remote;
        _wire = new CiyamLink(Connection, Options.Waiting);
        if (!_listener.TryAdmit(this)) return await FailAsync("max peers reached").ConfigureAwait(false);
        await _wire.WriteLineAsync(CiyamReplies.Version).ConfigureAwait(false);
        await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
        Options.Waiting?.Invoke(Options.Timeouts.Greeting);
        return ActionOutcome.Continue;
    }

    /// <summary>The rules the machine cannot see: the command length, a second help (taken as bye), a pip twice in a row, <c>help</c> spelled out.</summary>
    protected override async ValueTask<ActionOutcome?> ReceiveAsync(PacketDescriptor packet, ReadOnlySequence<byte> body)
    {
        var type = (PacketType)packet.Type;
        if (type == PacketType.Data && body.Length == 4 && Encoding.ASCII.GetString(body) == "help") type = PacketType.Help;
        else if (type == PacketType.Data) return null;
        if (packet.Keyword.Length + 1 + body.Length > CiyamReplies.MaxCommandLine)
            return await FailAsync($"a line is longer than the {CiyamReplies.MaxCommandLine}-byte maximum").ConfigureAwait(false);
        if (type == PacketType.Help)
        {
            if (!_helpUsed) return await Machine.ReceivedHelpAsync().ConfigureAwait(false);
            _endReason = "bye";
            return await Machine.ReceivedByeAsync().ConfigureAwait(false);
        }
        if (type == PacketType.Pip && _peerPipped) return await FailAsync("pip twice in a row").ConfigureAwait(false);
        _peerPipped = type == PacketType.Pip;
        return null;
    }

    /// <summary>A command out of order, or a line too long: CIYAM answers <c>(error)</c> before it hangs up.</summary>
    protected override async ValueTask<bool> OnViolationAsync(ConnectionCloseReason reason)
    {
        var message = reason.Violation switch
        {
            ProtocolViolation.FrameTooLarge => $"a line is longer than the {CiyamReplies.MaxCommandLine}-byte maximum",
            ProtocolViolation.UnexpectedPacket when reason.Packet is { } packet => $"invalid state for {packet.Keyword}",
            _ => reason.Detail,
        };
        await FailAsync(message).ConfigureAwait(false);
        return true;
    }

    protected override void OnClosed(ConnectionCloseReason reason)
    {
        _listener.Leave(this);
        _ended.TrySetResult(_endReason ?? (reason.Kind == ConnectionCloseKind.Completed ? "bye" : reason.Detail));
    }

    ValueTask<ActionOutcome> IResponderActions.RefuseLineAsync(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return FailAsync($"unknown command '{(space < 0 ? line : line[..space])}'");
    }

    ValueTask<ActionOutcome> IResponderActions.StopWaitingAsync() => FailAsync("the peer stopped answering (timeout)");

    /// <summary>Runs an action's work; a protocol error is answered with <c>(error)</c> and ends the session.</summary>
    private async ValueTask<ActionOutcome> GuardAsync(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
            return ActionOutcome.Continue;
        }
        catch (Exception e) when (e is CiyamProtocolException or System.Security.Cryptography.CryptographicException)
        {
            return await FailAsync(e.Message).ConfigureAwait(false);
        }
    }

    private async ValueTask<ActionOutcome> FailAsync(string message)
    {
        _endReason ??= message;
        try
        {
            await _wire.WriteLineAsync(CiyamReplies.ErrorPrefix + message).ConfigureAwait(false);
        }
        catch (CiyamProtocolException)
        {
            // The peer is gone; the session ends all the same.
        }
        return ActionOutcome.Close(message);
    }

    private static string[] Split(string arguments, int min, int max, string usage)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= min && parts.Length <= max ? parts : throw new CiyamProtocolException($"invalid command usage '{usage}'");
    }

    private static string RequireHash(string text) =>
        StoredFile.IsHash(text) ? text : throw new CiyamProtocolException($"'{text}' is not a file hash");
}
