using System.Text;
using NSec.Cryptography;

namespace MyChips.Protocol.Traversal.Calls;

/// <summary>
/// One side of a call's key agreement: a fresh X25519 key pair whose public half travels in a call-setup packet
/// over the Noise channel (which authenticates it), and the two media keys both sides derive from the exchange.
/// A fresh pair per call keeps each call's media secret even if a later call's keys leak.
/// </summary>
public sealed class CallKeyExchange : IDisposable
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("MyChips call keys v1");
    private readonly Key _ephemeral;

    private CallKeyExchange(Key ephemeral) => _ephemeral = ephemeral;

    /// <summary>The public key to send in the call offer or answer (32 bytes).</summary>
    public ReadOnlyMemory<byte> PublicKey => _ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>Creates a fresh key pair for one call.</summary>
    public static CallKeyExchange Start() => new(Key.Create(KeyAgreementAlgorithm.X25519));

    /// <summary>
    /// Derives the call's keys from the peer's public key. Both sides pass the same <paramref name="callId"/>;
    /// <paramref name="isOfferer"/> says which direction's key this side sends with.
    /// </summary>
    /// <exception cref="ArgumentException">The peer's key is not a usable X25519 public key.</exception>
    public CallKeys Complete(ReadOnlySpan<byte> peerPublicKey, ReadOnlySpan<byte> callId, bool isOfferer)
    {
        if (peerPublicKey.Length != 32) throw new ArgumentException("A call's public key is 32 bytes.", nameof(peerPublicKey));
        if (!NSec.Cryptography.PublicKey.TryImport(KeyAgreementAlgorithm.X25519, peerPublicKey, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
            throw new ArgumentException("The peer's call key is not an X25519 public key.", nameof(peerPublicKey));
        using var shared = KeyAgreementAlgorithm.X25519.Agree(_ephemeral, peer)
            ?? throw new ArgumentException("The peer's call key gives no shared secret (small order).", nameof(peerPublicKey));
        var own = PublicKey.Span;
        var offerer = isOfferer ? own : peerPublicKey;
        var answerer = isOfferer ? peerPublicKey : own;
        // Both public keys go into the derivation, in a fixed order, so that both sides bind the same exchange.
        var info = new byte[Label.Length + 64];
        Label.CopyTo(info, 0);
        offerer.CopyTo(info.AsSpan(Label.Length));
        answerer.CopyTo(info.AsSpan(Label.Length + 32));
        var keys = KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, callId, info, 64);
        var offererKey = keys.AsSpan(0, 32).ToArray();
        var answererKey = keys.AsSpan(32, 32).ToArray();
        Array.Clear(keys);
        return isOfferer ? new CallKeys(offererKey, answererKey) : new CallKeys(answererKey, offererKey);
    }

    public void Dispose() => _ephemeral.Dispose();
}

/// <summary>A call's two media keys: one per direction, so that the two sides never share a nonce under one key.</summary>
public sealed record CallKeys(byte[] SendKey, byte[] ReceiveKey);
