namespace MyChips.Protocol.Keys;

/// <summary>
/// Remembers the initiator ephemeral keys of the handshakes a node accepted, so that a recorded K or I played
/// again is refused: a first handshake message decrypts as often as it is replayed, but an honest initiator
/// never uses an ephemeral key twice.
/// </summary>
public interface IReplayGuard
{
    /// <summary>True the first time <paramref name="ephemeralKey"/> is presented, false every later time.</summary>
    /// <exception cref="KeyStoreUnavailableException">The record could not be read or written.</exception>
    ValueTask<bool> TryAcceptAsync(ReadOnlyMemory<byte> ephemeralKey, CancellationToken cancellationToken = default);
}
