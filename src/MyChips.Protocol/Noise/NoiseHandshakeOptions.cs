namespace MyChips.Protocol.Noise;

/// <summary>What a <see cref="HandshakeState"/> starts from. Keys are copied in; the caller keeps ownership of its buffers.</summary>
public sealed class NoiseHandshakeOptions
{
    /// <summary>Data both sides must agree on, hashed into the handshake (spec section 6). Empty by default.</summary>
    public ReadOnlyMemory<byte> Prologue { get; init; }

    /// <summary>This party's 32-byte X25519 static private key, when the pattern uses one.</summary>
    public ReadOnlyMemory<byte> LocalStaticPrivateKey { get; init; }

    /// <summary>
    /// The public key of <see cref="LocalStaticPrivateKey"/>, if the caller has it: saves one scalar
    /// multiplication per handshake. It must match the private key (else the peer's checks fail); when
    /// empty it is derived.
    /// </summary>
    public ReadOnlyMemory<byte> LocalStaticPublicKey { get; init; }

    /// <summary>
    /// The peer's 32-byte static public key, when the pattern has it known in advance (a pre-message).
    /// Ignored when the pattern transmits it: then check <see cref="HandshakeState.RemoteStaticPublicKey"/>.
    /// </summary>
    public ReadOnlyMemory<byte> RemoteStaticPublicKey { get; init; }

    /// <summary>One 32-byte PSK per pskN modifier, in ascending N (the order the psk tokens are used).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> PreSharedKeys { get; init; } = [];

    /// <summary>
    /// A fixed ephemeral private key instead of a random one: for test vectors and golden files only,
    /// since reusing an ephemeral key breaks forward secrecy.
    /// </summary>
    public ReadOnlyMemory<byte> FixedEphemeralPrivateKey { get; init; }

    /// <summary>Spec rules (default) or the JavaScript peer's.</summary>
    public NoiseProfile Profile { get; init; } = NoiseProfile.Strict;
}
