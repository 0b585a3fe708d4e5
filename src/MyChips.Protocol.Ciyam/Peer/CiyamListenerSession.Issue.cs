using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Peer;

/// <summary>
/// The listener's own command after each answer. Its gets and puts alternate (a get after it put, a put after it
/// got), so over two turns each side sends as many files as it receives; a due proof of storage or a pip may take
/// a turn's place. The turn ends with <c>(okay)</c>.
/// </summary>
public sealed partial class CiyamListenerSession
{
    private readonly List<string> _given = [];
    private readonly HashSet<string> _peerHas = [];
    private bool _lastIssuedWasPut = true;
    private bool _lastIssuedWasPip;
    private DateTimeOffset _lastProof;

    /// <summary>Files this listener put to the peer in this session: what a proof of storage may ask for.</summary>
    public IReadOnlyList<string> Given => _given;

    private async Task EndTurnAsync()
    {
        await IssueNextAsync().ConfigureAwait(false);
        await _wire.WriteLineAsync(CiyamReplies.Okay).ConfigureAwait(false);
    }

    private async Task IssueNextAsync()
    {
        var extra = Options.ChooseExtra();
        if (_given.Count > 0 && (extra == CiyamExtra.Check || ProofDue()))
        {
            await ProveAsync(_given[Random.Shared.Next(_given.Count)]).ConfigureAwait(false);
            _lastIssuedWasPip = false;
        }
        else if (extra == CiyamExtra.Pip && !_lastIssuedWasPip)
        {
            await _wire.WriteLineAsync("pip " + Remote.Address).ConfigureAwait(false);
            await _wire.ReadLineAsync(CiyamReplies.MaxCommandLine, Request).ConfigureAwait(false);
            _lastIssuedWasPip = true;
        }
        else
        {
            await (_lastIssuedWasPut ? IssueGetAsync() : IssuePutAsync()).ConfigureAwait(false);
            _lastIssuedWasPip = false;
        }
    }

    private bool ProofDue() => Options.Time.GetUtcNow() - _lastProof >= Options.ProofInterval;

    /// <summary>Asks the peer to hash a file it was given with a fresh nonce; a wrong or missing answer is recorded and ends the session.</summary>
    private async Task ProveAsync(string hash)
    {
        var nonce = Guid.NewGuid().ToString();
        await _wire.WriteLineAsync($"chk {hash} {nonce}").ConfigureAwait(false);
        var answer = await _wire.ReadLineAsync(CiyamReplies.MaxCommandLine, Request).ConfigureAwait(false);
        _lastProof = Options.Time.GetUtcNow();
        var stored = Area.Read(hash);
        if (stored is not null && answer == StoredFile.ProofOfStorage(nonce, stored)) return;
        _listener.RecordFailedProof(Remote, hash);
        throw new CiyamProtocolException($"unexpected invalid chk response: {answer}");
    }

    private async Task IssueGetAsync()
    {
        _lastIssuedWasPut = false;
        if (await FetchForOwnerAsync().ConfigureAwait(false)) return;
        var hash = Options.Wanted.FirstOrDefault(w => !Area.Contains(w)) ?? HelloBlob.Hash;
        await _wire.WriteLineAsync("get " + hash).ConfigureAwait(false);
        var stored = await FileTransfer.ReceiveAsync(_wire, hash, Area.MaxFileBytes, alreadyHeld: false, Request).ConfigureAwait(false);
        Traffic.Received(stored!.Length);
        _peerHas.Add(hash);
        if (hash != HelloBlob.Hash) Keep(hash, stored);
    }

    private async Task IssuePutAsync()
    {
        _lastIssuedWasPut = true;
        // A file the peer is known to hold is not offered again.
        var hash = Area.Hashes().FirstOrDefault(h => !_peerHas.Contains(h));
        var stored = hash is null ? null : Area.Read(hash);
        if (hash is null || stored is null) (hash, stored) = (HelloBlob.Hash, HelloBlob.Stored);
        _peerHas.Add(hash);
        await _wire.WriteLineAsync("put " + hash).ConfigureAwait(false);
        if (await FileTransfer.SendAsync(_wire, stored, Request).ConfigureAwait(false)) Traffic.Sent(stored.Length);
        if (hash != HelloBlob.Hash && !_given.Contains(hash)) _given.Add(hash);
    }
}
