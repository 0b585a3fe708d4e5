using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>The rest of a turn: what the listener answers and issues until its <c>(okay)</c>.</summary>
public sealed partial class CiyamInitiator
{
    /// <summary>Serves the listener's lines up to <c>(okay)</c>; returns its answer line to this side's command, if any.</summary>
    private async Task<string?> ServeTurnAsync(bool echoHello = false)
    {
        string? answer = null;
        while (true)
        {
            var line = await _wire.ReadLineAsync(CiyamReplies.MaxCommandLine, Request).ConfigureAwait(false);
            if (line == CiyamReplies.Okay) return answer;
            if (line.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal)) throw new CiyamProtocolException("the listener answered " + line);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var word = space < 0 ? line : line[..space];
            var argument = space < 0 ? "" : line[(space + 1)..];
            switch (word)
            {
                case "put":
                    await TakeAsync(argument, echoHello).ConfigureAwait(false);
                    break;
                case "get":
                    await GiveAsync(argument).ConfigureAwait(false);
                    break;
                case "chk":
                    await ProveAsync(argument).ConfigureAwait(false);
                    break;
                case "pip":
                    await _wire.WriteLineAsync("127.0.0.1").ConfigureAwait(false);
                    break;
                default:
                    answer = line;
                    break;
            }
        }
    }

    private async Task ExpectOkayAsync(TimeSpan timeout)
    {
        var line = await _wire.ReadLineAsync(CiyamReplies.MaxCommandLine, timeout).ConfigureAwait(false);
        if (line != CiyamReplies.Okay) throw new CiyamProtocolException($"expected {CiyamReplies.Okay}, the listener answered '{line}'");
    }

    /// <summary>The listener puts a file here; in the first turn the hello blob goes straight back.</summary>
    private async Task TakeAsync(string hash, bool echoHello)
    {
        if (!StoredFile.IsHash(hash)) throw new CiyamProtocolException($"the listener put '{hash}', which is no file hash");
        var held = hash != HelloBlob.Hash && _area.Contains(hash);
        var stored = await FileTransfer.ReceiveAsync(_wire, hash, _area.MaxFileBytes, held, Request).ConfigureAwait(false);
        if (stored is null) return;
        Traffic.Received(stored.Length);
        if (echoHello && hash == HelloBlob.Hash)
        {
            await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false);
            Traffic.Sent(stored.Length);
            return;
        }
        if (hash != HelloBlob.Hash)
        {
            Keep(hash, stored);
            Received.Add(hash);
        }
    }

    private async Task GiveAsync(string hash)
    {
        var stored = hash == HelloBlob.Hash ? HelloBlob.Stored : _area.Read(hash) ?? throw new CiyamProtocolException($"the listener asked for '{hash}', which is not here");
        if (await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false)) Traffic.Sent(stored.Length);
    }

    private async Task ProveAsync(string arguments)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stored = parts.Length > 0 ? _area.Read(parts[0]) : null;
        var answer = stored is null ? CiyamReplies.NotFound : parts.Length > 1 ? StoredFile.ProofOfStorage(parts[1], stored) : parts[0];
        await _wire.WriteLineAsync(answer).ConfigureAwait(false);
    }

    private void Keep(string hash, byte[] stored)
    {
        var result = _area.Store(hash, stored);
        if (result is not (StoreResult.Stored or StoreResult.AlreadyStored)) throw new CiyamProtocolException($"file '{hash}' not kept: {result}");
    }
}
