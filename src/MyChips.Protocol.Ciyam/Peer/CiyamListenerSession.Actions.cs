using System.Net.Security;
using System.Security.Authentication;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;
using MyChips.Protocol.Connections;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>The listener's answers to the commands its machine let through.</summary>
public sealed partial class CiyamListenerSession
{
    private static readonly string[] Usage =
    [
        "commands:",
        "=========",
        "chk <tag_or_hash> [<nonce>] (check if peer has a file or hash the content of a file with a nonce)",
        "get <tag_or_hash> [<name>] (fetch a local file from the peer's files area)",
        "put <hash> (store a local file into the peer's files area)",
        "pip <addr> (exchange a random peer's ip address)",
        "tls (start TLS session)",
        "bye (terminate session)",
    ];

    async ValueTask<ActionOutcome> IResponderActions.StartTlsAsync()
    {
        if (Options.Certificate is not { } certificate) return await FailAsync("TLS is not available").ConfigureAwait(false);
        try
        {
            await Connection.UpgradeAsync(async (stream, cancel) =>
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancel).ConfigureAwait(false);
                return tls;
            }, Options.Timeouts.Greeting).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // The upgrade closed the connection: nothing more can be said to the peer.
            _endReason ??= e.Message;
            return ActionOutcome.Close(e.Message);
        }
        return await GuardAsync(() => _wire.WriteLineAsync(CiyamReplies.Okay)).ConfigureAwait(false);
    }

    /// <summary>
    /// The first chk. A file held: its proof (with a nonce), then <c>(okay)</c>, and the peer gets next. Nothing held:
    /// <c>(not found)</c>, then <c>put</c> of the hello blob, which the peer must send straight back, and it puts next.
    /// </summary>
    ValueTask<ActionOutcome> IResponderActions.AnswerFirstCheckAsync(string arguments) => GuardAsync(async () =>
    {
        var (hash, nonce) = ReadCheck(arguments);
        if (hash is not null && Area.Read(hash) is { } stored)
        {
            if (nonce is not null) await _wire.WriteLineAsync(StoredFile.ProofOfStorage(nonce, stored)).ConfigureAwait(false);
            await Machine.FoundAsync().ConfigureAwait(false);
        }
        else
        {
            await _wire.WriteLineAsync(CiyamReplies.NotFound).ConfigureAwait(false);
            await _wire.WriteLineAsync("put " + HelloBlob.Hash).ConfigureAwait(false);
            await FileTransfer.SendAsync(_wire, HelloBlob.Stored, Request).ConfigureAwait(false);
            Traffic.Sent(HelloBlob.Stored.Length);
            var back = await FileTransfer.ReceiveAsync(_wire, HelloBlob.Hash, Area.MaxFileBytes, alreadyHeld: false, Request).ConfigureAwait(false);
            Traffic.Received(back!.Length);
            await Machine.HelloExchangedAsync().ConfigureAwait(false);
        }
        await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
    });

    ValueTask<ActionOutcome> IResponderActions.AnswerCheckAsync(string arguments) => GuardAsync(async () =>
    {
        var (hash, nonce) = ReadCheck(arguments);
        var stored = hash is null ? null : Area.Read(hash);
        if (stored is null) await _wire.WriteLineAsync(CiyamReplies.NotFound).ConfigureAwait(false);
        else if (nonce is not null) await _wire.WriteLineAsync(StoredFile.ProofOfStorage(nonce, stored)).ConfigureAwait(false);
        // Content kept sealed for its owner is not found as such: the turn's put carries the pull answer instead.
        if (stored is null && hash is not null && _listener.Kept?.Find(hash) is { } kept) await PutPullAnswerAsync(kept).ConfigureAwait(false);
        else await IssueNextAsync().ConfigureAwait(false);
        await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
    });

    ValueTask<ActionOutcome> IResponderActions.ExchangePeerAsync(string arguments) => GuardAsync(async () =>
    {
        Split(arguments, 1, 1, "pip " + arguments);
        await _wire.WriteLineAsync(_listener.AnotherPeerThan(this)).ConfigureAwait(false);
        await EndTurnAsync().ConfigureAwait(false);
    });

    /// <summary>The peer's put: the file is received (or skipped when held), verified and kept.</summary>
    ValueTask<ActionOutcome> IResponderActions.StoreFileAsync(string arguments) => GuardAsync(async () =>
    {
        var hash = RequireHash(Split(arguments, 1, 1, "put " + arguments)[0]);
        var held = Area.Contains(hash);
        var stored = await FileTransfer.ReceiveAsync(_wire, hash, Area.MaxFileBytes, held, Request).ConfigureAwait(false);
        _peerHas.Add(hash);
        if (stored is not null)
        {
            Traffic.Received(stored.Length);
            Keep(hash, stored);
            NoteStorageRequest(stored);
        }
        await EndTurnAsync().ConfigureAwait(false);
    });

    /// <summary>The peer's get: the file is sent, or the session ends with <c>(error)</c> when it is not here.</summary>
    ValueTask<ActionOutcome> IResponderActions.SendFileAsync(string arguments) => GuardAsync(async () =>
    {
        var hash = RequireHash(Split(arguments, 1, 2, "get " + arguments)[0]);
        var stored = hash == HelloBlob.Hash ? HelloBlob.Stored : Area.Read(hash) ?? throw new CiyamProtocolException($"file '{hash}' not found");
        await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false);
        Traffic.Sent(stored.Length);
        _peerHas.Add(hash);
        await EndTurnAsync().ConfigureAwait(false);
    });

    ValueTask<ActionOutcome> IResponderActions.ShowHelpAsync() => GuardAsync(async () =>
    {
        _helpUsed = true;
        foreach (var line in Usage) await _wire.WriteLineAsync(line).ConfigureAwait(false);
        await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
    });

    bool IResponderActions.HelpNotYetUsed() => !_helpUsed;

    /// <summary>A chk's hash and nonce; the hash is null for a tag, which this files area does not hold.</summary>
    private (string? Hash, string? Nonce) ReadCheck(string arguments)
    {
        var parts = Split(arguments, 1, 2, "chk " + arguments);
        var nonce = parts.Length > 1 ? parts[1] : null;
        if (StoredFile.IsHash(parts[0])) return (parts[0], nonce);
        // A tag: outside interactive testing (a peer on this machine) it must carry the blockchain prefix.
        var tag = parts[0];
        if (tag.Contains(".key", StringComparison.Ordinal) || !(tag.StartsWith("bc.", StringComparison.Ordinal) || System.Net.IPAddress.IsLoopback(Remote.Address)))
            throw new CiyamProtocolException($"invalid tag '{tag}'");
        return (null, nonce);
    }

    private void Keep(string hash, byte[] stored)
    {
        var result = Area.Store(hash, stored);
        if (result is not (StoreResult.Stored or StoreResult.AlreadyStored)) throw new CiyamProtocolException($"file '{hash}' not kept: {result}");
    }
}
