using System.Net.Sockets;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// The side that connects to a CIYAM listener. It follows the listener's order (chk first, then puts and gets in
/// turn) and serves what the listener issues back in each turn: a file to receive or to send, a chk to prove, a pip
/// to answer, until the listener's <c>(okay)</c> ends the turn.
/// </summary>
public sealed partial class CiyamInitiator : IAsyncDisposable
{
    private readonly CiyamWire _wire;
    private readonly FilesArea _area;
    private readonly CiyamPeerOptions _options;
    private bool _putNext;
    private bool _checked;

    private CiyamInitiator(Stream stream, FilesArea area, CiyamPeerOptions options)
    {
        _wire = new CiyamWire(stream, options.Time, options.Waiting);
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
        var client = new TcpClient { NoDelay = true };
        try
        {
            using (var deadline = new CancellationTokenSource(options.Timeouts.Greeting, options.Time))
                await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            throw new CiyamProtocolException($"cannot connect to {host}:{port}: {e.Message}", e);
        }
        var initiator = new CiyamInitiator(client.GetStream(), area, options);
        try
        {
            var version = await initiator._wire.ReadLineAsync(CiyamReplies.MaxCommandLine, options.Timeouts.Greeting).ConfigureAwait(false);
            if (version.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)) throw new CiyamProtocolException("the listener refused: " + version);
            if (!version.StartsWith("0.", StringComparison.Ordinal)) throw new CiyamProtocolException($"incompatible protocol version '{version}'");
            await initiator.ExpectOkayAsync(options.Timeouts.Greeting).ConfigureAwait(false);
            return initiator;
        }
        catch
        {
            await initiator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Switches to TLS; only before the first chk.</summary>
    public async Task StartTlsAsync(string host)
    {
        if (_checked) throw new InvalidOperationException("tls is only allowed before the first chk");
        await _wire.WriteLineAsync("tls").ConfigureAwait(false);
        await _wire.AuthenticateAsClientAsync(host, _options.ValidateCertificate, _options.Timeouts.Greeting).ConfigureAwait(false);
        await ExpectOkayAsync(Request).ConfigureAwait(false);
    }

    public bool IsSecure => _wire.IsSecure;

    /// <summary>
    /// The first chk, of the hello blob: when the listener lacks it, it sends it and this side sends it back; then
    /// this side puts next. When it has it, this side gets next.
    /// </summary>
    public async Task GreetAsync()
    {
        if (_checked) throw new InvalidOperationException("the first chk was already sent");
        _checked = true;
        await _wire.WriteLineAsync("chk " + HelloBlob.Hash).ConfigureAwait(false);
        var answer = await ServeTurnAsync(echoHello: true).ConfigureAwait(false);
        _putNext = answer == CiyamReplies.NotFound;
    }

    /// <summary>Asks whether the listener holds a file: null when not, else its proof for <paramref name="nonce"/> (or "").</summary>
    public async Task<string?> CheckAsync(string hash, string? nonce = null)
    {
        RequireChecked();
        await _wire.WriteLineAsync(nonce is null ? $"chk {hash}" : $"chk {hash} {nonce}").ConfigureAwait(false);
        var answer = await ServeTurnAsync().ConfigureAwait(false);
        return answer == CiyamReplies.NotFound ? null : answer ?? "";
    }

    /// <summary>Sends a file of this side's area to the listener.</summary>
    public async Task PutAsync(string hash)
    {
        RequireChecked();
        if (!_putNext) throw new InvalidOperationException("a get must come next: puts and gets alternate");
        var stored = hash == HelloBlob.Hash ? HelloBlob.Stored : _area.Read(hash) ?? throw new InvalidOperationException($"file '{hash}' is not in the files area");
        await _wire.WriteLineAsync("put " + hash).ConfigureAwait(false);
        if (await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false)) Traffic.Sent(stored.Length);
        _putNext = false;
        await ServeTurnAsync().ConfigureAwait(false);
    }

    /// <summary>Fetches a file from the listener into this side's area.</summary>
    public async Task GetAsync(string hash)
    {
        RequireChecked();
        if (_putNext) throw new InvalidOperationException("a put must come next: puts and gets alternate");
        if (!StoredFile.IsHash(hash)) throw new ArgumentException("a get names a file hash", nameof(hash));
        await _wire.WriteLineAsync("get " + hash).ConfigureAwait(false);
        var stored = await FileTransfer.ReceiveAsync(_wire, hash, _area.MaxFileBytes, alreadyHeld: false, Request).ConfigureAwait(false);
        Traffic.Received(stored!.Length);
        Keep(hash, stored);
        _putNext = true;
        await ServeTurnAsync().ConfigureAwait(false);
    }

    /// <summary>Asks for the address of another peer of the listener.</summary>
    public async Task<string> PipAsync(string ownAddress = "127.0.0.1")
    {
        RequireChecked();
        await _wire.WriteLineAsync("pip " + ownAddress).ConfigureAwait(false);
        return await ServeTurnAsync().ConfigureAwait(false) ?? throw new CiyamProtocolException("pip was not answered with an address");
    }

    /// <summary>Whether a put (rather than a get) must come next.</summary>
    public bool PutNext => _putNext;

    public async Task ByeAsync()
    {
        await _wire.WriteLineAsync("bye").ConfigureAwait(false);
        await _wire.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _wire.DisposeAsync();

    private void RequireChecked()
    {
        if (!_checked) throw new InvalidOperationException("the first command is chk: call GreetAsync");
    }
}
