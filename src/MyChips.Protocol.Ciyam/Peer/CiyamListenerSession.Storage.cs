using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Storage;
using MyChips.Protocol.Ciyam.Transfer;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// Keeping others' files: a put push request makes the listener's next get fetch the content, which is sealed for
/// its owner on arrival (the plaintext is never written); a chk of such content is answered with a put of the pull
/// answer that lets the owner fetch and open the sealed file.
/// </summary>
public sealed partial class CiyamListenerSession
{
    private readonly Queue<StorageRequest> _toFetch = new();

    private void NoteStorageRequest(byte[] stored)
    {
        if (_listener.Kept is not { } kept || StorageRequest.TryRead(stored) is not { IsPull: false } request) return;
        if (kept.Find(request.SourceHash) is null && !_toFetch.Any(r => r.SourceHash == request.SourceHash)) _toFetch.Enqueue(request);
    }

    /// <summary>Fetches the content of a push request and keeps it sealed; false when there is none to fetch.</summary>
    private async Task<bool> FetchForOwnerAsync()
    {
        if (!_toFetch.TryDequeue(out var request)) return false;
        await _wire.WriteLineAsync("get " + request.SourceHash).ConfigureAwait(false);
        var stored = await FileTransfer.ReceiveAsync(_wire, request.SourceHash, Area.MaxFileBytes, alreadyHeld: false, Request).ConfigureAwait(false);
        Traffic.Received(stored!.Length);
        _peerHas.Add(request.SourceHash);
        var (sealedFile, keeperPublicKey) = SealedFile.Seal(stored, request.PublicKey);
        var sealedHash = StoredFile.HashOf(sealedFile);
        Keep(sealedHash, sealedFile);
        _listener.Kept!.Add(new KeptFile(request.SourceHash, sealedHash, keeperPublicKey));
        return true;
    }

    private async Task PutPullAnswerAsync(KeptFile kept)
    {
        var answer = new StorageRequest(kept.KeeperPublicKey, kept.SealedHash, kept.SourceHash).ToStored();
        var hash = StoredFile.HashOf(answer);
        Keep(hash, answer);
        _lastIssuedWasPut = true;
        _peerHas.Add(hash);
        await _wire.WriteLineAsync("put " + hash).ConfigureAwait(false);
        if (await FileTransfer.SendAsync(_wire, answer, Request).ConfigureAwait(false)) Traffic.Sent(answer.Length);
    }
}
