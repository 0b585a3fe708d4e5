using System.Net.Security;
using System.Security.Authentication;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// The side that connects to a CIYAM listener, on the connection engine. It follows the listener's order (chk
/// first, then puts and gets in turn) and serves what the listener issues back in each turn: a file to receive or to
/// send, a chk to prove, a pip to answer, until the listener's <c>(okay)</c> ends the turn. Each call is one step
/// that holds the read turn (<see cref="ProtocolConnection.RunReadingAsync"/>), so calls run one after another.
/// </summary>
public sealed partial class CiyamInitiator : ProtocolSession, IAsyncDisposable
{
    private readonly FilesArea _area;
    private readonly CiyamPeerOptions _options;
    private readonly TaskCompletionSource _greeted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProtocolNode? _node;
    private CiyamLink _wire = null!;
    private bool _putNext;
    private bool _checked;

    private CiyamInitiator(FilesArea area, CiyamPeerOptions options)
    {
        _area = area;
        _options = options;
    }

    public CiyamTraffic Traffic { get; } = new();

    /// <summary>The files area this side sends from and receives into.</summary>
    public FilesArea Area => _area;

    /// <summary>Files the listener put to this side: what it may later be asked to prove.</summary>
    public List<string> Received { get; } = [];

    private TimeSpan Request => _options.Timeouts.Request;

    /// <summary>Connects and reads the listener's greeting (its version, then <c>(okay)</c>).</summary>
    public static async Task<CiyamInitiator> ConnectAsync(string host, int port, FilesArea area, CiyamPeerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(area);
        options ??= new CiyamPeerOptions();
        var initiator = new CiyamInitiator(area, options);
        var node = new ProtocolNode(CiyamInitiatorProtocol.Instance, options.ForEngine());
        initiator._node = node;
        try
        {
            using (var deadline = new CancellationTokenSource(options.Timeouts.Greeting, options.Time))
            {
                var addresses = await System.Net.Dns.GetHostAddressesAsync(host, deadline.Token).ConfigureAwait(false);
                await node.ConnectAsync(new System.Net.IPEndPoint(addresses[0], port), initiator, cancellationToken: deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or IndexOutOfRangeException)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new CiyamProtocolException($"cannot connect to {host}:{port}: {e.Message}", e);
        }
        try
        {
            await initiator._greeted.Task.ConfigureAwait(false);
            return initiator;
        }
        catch
        {
            await initiator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The greeting's first line: the listener's version, or its refusal.</summary>
    internal ValueTask<ActionOutcome> HearVersion(string line)
    {
        if (line.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)) return Refuse("the listener refused: " + line);
        if (!line.StartsWith("0.", StringComparison.Ordinal)) return Refuse($"incompatible protocol version '{line}'");
        return new(ActionOutcome.Continue);
    }

    /// <summary>The greeting's <c>(okay)</c>: commands may go.</summary>
    internal ValueTask<ActionOutcome> Greeted()
    {
        _greeted.TrySetResult();
        return new(ActionOutcome.Continue);
    }

    protected override void OnClosed(ConnectionCloseReason reason) =>
        _greeted.TrySetException(new CiyamProtocolException(reason.Timeout is not null ? "the peer stopped answering (timeout)" : "the connection failed: " + reason.Detail));

    private ValueTask<ActionOutcome> Refuse(string why)
    {
        _greeted.TrySetException(new CiyamProtocolException(why));
        return new(ActionOutcome.Close(why));
    }

    protected override ValueTask<ActionOutcome> OnConnectedAsync()
    {
        _wire = new CiyamLink(Connection, _options.Waiting);
        _options.Waiting?.Invoke(_options.Timeouts.Greeting);
        return new(ActionOutcome.Continue);
    }

    /// <summary>Switches to TLS; only before the first chk.</summary>
    public Task StartTlsAsync(string host)
    {
        if (_checked) throw new InvalidOperationException("tls is only allowed before the first chk");
        return StepAsync(async () =>
        {
            await _wire.WriteLineAsync("tls").ConfigureAwait(false);
            try
            {
                await Connection.UpgradeAsync(async (stream, cancel) =>
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false, _options.ValidateCertificate);
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancel).ConfigureAwait(false);
                    return tls;
                }, _options.Timeouts.Greeting).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
            {
                throw new CiyamProtocolException("TLS failed: " + e.Message, e);
            }
            IsSecure = true;
            await ExpectOkayAsync(Request).ConfigureAwait(false);
        });
    }

    public bool IsSecure { get; private set; }

    /// <summary>
    /// The first chk, of the hello blob: when the listener lacks it, it sends it and this side sends it back; then
    /// this side puts next. When it has it, this side gets next.
    /// </summary>
    public Task GreetAsync()
    {
        if (_checked) throw new InvalidOperationException("the first chk was already sent");
        _checked = true;
        return StepAsync(async () =>
        {
            await _wire.WriteLineAsync("chk " + HelloBlob.Hash).ConfigureAwait(false);
            var answer = await ServeTurnAsync(echoHello: true).ConfigureAwait(false);
            _putNext = answer == CiyamReplies.NotFound;
        });
    }

    /// <summary>Asks whether the listener holds a file: null when not, else its proof for <paramref name="nonce"/> (or "").</summary>
    public async Task<string?> CheckAsync(string hash, string? nonce = null)
    {
        RequireChecked();
        string? answer = null;
        await StepAsync(async () =>
        {
            await _wire.WriteLineAsync(nonce is null ? $"chk {hash}" : $"chk {hash} {nonce}").ConfigureAwait(false);
            answer = await ServeTurnAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);
        return answer == CiyamReplies.NotFound ? null : answer ?? "";
    }

    /// <summary>Sends a file of this side's area to the listener.</summary>
    public Task PutAsync(string hash)
    {
        RequireChecked();
        if (!_putNext) throw new InvalidOperationException("a get must come next: puts and gets alternate");
        var stored = hash == HelloBlob.Hash ? HelloBlob.Stored : _area.Read(hash) ?? throw new InvalidOperationException($"file '{hash}' is not in the files area");
        return StepAsync(async () =>
        {
            await _wire.WriteLineAsync("put " + hash).ConfigureAwait(false);
            if (await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false)) Traffic.Sent(stored.Length);
            _putNext = false;
            await ServeTurnAsync().ConfigureAwait(false);
        });
    }

    /// <summary>Fetches a file from the listener into this side's area.</summary>
    public Task GetAsync(string hash)
    {
        RequireChecked();
        if (_putNext) throw new InvalidOperationException("a put must come next: puts and gets alternate");
        if (!StoredFile.IsHash(hash)) throw new ArgumentException("a get names a file hash", nameof(hash));
        return StepAsync(async () =>
        {
            await _wire.WriteLineAsync("get " + hash).ConfigureAwait(false);
            var stored = await FileTransfer.ReceiveAsync(_wire, hash, _area.MaxFileBytes, alreadyHeld: false, Request).ConfigureAwait(false);
            Traffic.Received(stored!.Length);
            Keep(hash, stored);
            _putNext = true;
            await ServeTurnAsync().ConfigureAwait(false);
        });
    }

    /// <summary>Asks for the address of another peer of the listener.</summary>
    public async Task<string> PipAsync(string ownAddress = "127.0.0.1")
    {
        RequireChecked();
        string? answer = null;
        await StepAsync(async () =>
        {
            await _wire.WriteLineAsync("pip " + ownAddress).ConfigureAwait(false);
            answer = await ServeTurnAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);
        return answer ?? throw new CiyamProtocolException("pip was not answered with an address");
    }

    /// <summary>Whether a put (rather than a get) must come next.</summary>
    public bool PutNext => _putNext;

    public async Task ByeAsync()
    {
        await StepAsync(() => _wire.WriteLineAsync("bye")).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _node?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>
    /// Runs one exchange as a step holding the read turn; a protocol error ends the session (the listener hangs up
    /// after its <c>(error)</c> anyway) and is thrown to the caller.
    /// </summary>
    private async Task StepAsync(Func<Task> exchange)
    {
        CiyamProtocolException? failure = null;
        var outcome = await Connection.RunReadingAsync(async () =>
        {
            try
            {
                await exchange().ConfigureAwait(false);
                return ActionOutcome.Continue;
            }
            catch (CiyamProtocolException e)
            {
                failure = e;
                return ActionOutcome.Close(e.Message);
            }
        }).ConfigureAwait(false);
        if (failure is not null) throw failure;
        if (outcome.Kind == ActionOutcomeKind.Close) throw new CiyamProtocolException("the connection failed: " + outcome.Reason);
    }

    private void RequireChecked()
    {
        if (!_checked) throw new InvalidOperationException("the first command is chk: call GreetAsync");
    }
}
