using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>Keys, chaining key and PSKs are zeroed when no longer needed.</summary>
public class ZeroingTests
{
    [Fact]
    public void Split_zeroes_the_handshake_secrets_but_keeps_the_hash()
    {
        using var pair = new NoisePair("Noise_KKpsk2_25519_ChaChaPoly_BLAKE2b");
        var state = pair.Initiator;
        Assert.False(IsZero(state.LocalStaticPrivateKey));
        Assert.False(IsZero(state.PreSharedKeyBytes));
        pair.Complete();

        Assert.True(IsZero(state.LocalStaticPrivateKey));
        Assert.True(IsZero(state.LocalEphemeralPrivateKey));
        Assert.True(IsZero(state.PreSharedKeyBytes));
        Assert.True(IsZero(state.Symmetric.ChainingKey));
        Assert.True(IsZero(state.Symmetric.CipherState.Key));
        Assert.False(state.Symmetric.CipherState.HasKey);
        Assert.False(IsZero(state.HandshakeHash));
    }

    [Fact]
    public void Disposing_a_handshake_midway_zeroes_everything()
    {
        var pair = new NoisePair("Noise_IK_25519_ChaChaPoly_BLAKE2b");
        var state = pair.Initiator;
        state.WriteMessage(default, new byte[128]);
        var symmetric = state.Symmetric;
        Assert.False(IsZero(state.LocalEphemeralPrivateKey));
        Assert.False(IsZero(symmetric.ChainingKey));
        Assert.False(IsZero(symmetric.CipherState.Key));

        pair.Dispose();
        Assert.True(IsZero(state.LocalStaticPrivateKey));
        Assert.True(IsZero(state.LocalEphemeralPrivateKey));
        Assert.True(IsZero(symmetric.ChainingKey));
        Assert.True(IsZero(symmetric.CipherState.Key));
        Assert.True(IsZero(symmetric.HandshakeHash));
        Assert.Throws<ObjectDisposedException>(() => state.WriteMessage(default, new byte[128]));
    }

    [Fact]
    public void Disposing_a_transport_zeroes_both_keys()
    {
        var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b").Complete();
        var transport = pair.InitiatorTransport!;
        Assert.False(IsZero(transport.SendState!.Key));
        Assert.False(IsZero(transport.ReceiveState!.Key));
        pair.Dispose();
        Assert.True(IsZero(transport.SendState.Key));
        Assert.True(IsZero(transport.ReceiveState.Key));
    }

    private static bool IsZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);
}
