using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>Garbage from the network gives a NoiseException and leaves the state as it was: never a crash.</summary>
public class HostileInputTests
{
    [Theory]
    [InlineData("Noise_IK_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_KK_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_N_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_XXpsk0_25519_AESGCM_SHA256")]
    public void Random_first_messages_are_refused_with_a_NoiseException(string protocol)
    {
        var random = new Random(20260401);
        using var pair = new NoisePair(protocol);
        var hash = pair.Responder.HandshakeHash.ToArray();
        var payload = new byte[300];
        for (var i = 0; i < 500; i++)
        {
            var message = new byte[random.Next(0, 200)];
            random.NextBytes(message);
            Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(message, payload));
            Assert.Equal(hash, pair.Responder.HandshakeHash.ToArray());
        }
    }

    [Fact]
    public void An_all_zero_ephemeral_key_is_refused_as_invalid()
    {
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b");
        var message = new byte[48];
        var error = Assert.Throws<NoiseException>(() => pair.Responder.ReadMessage(message, new byte[16]));
        Assert.Equal(NoiseError.InvalidPublicKey, error.Reason);
        Assert.False(pair.Responder.WritesNextMessage);
    }

    [Fact]
    public void Random_transport_messages_are_refused_without_moving_the_nonce()
    {
        var random = new Random(7);
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b").Complete();
        var destination = new byte[70_000];
        for (var i = 0; i < 500; i++)
        {
            var message = new byte[random.Next(0, i % 50 == 0 ? 70_000 : 100)];
            random.NextBytes(message);
            Assert.False(pair.ResponderTransport!.TryDecrypt(message, destination, out var written));
            Assert.Equal(0, written);
        }
        Assert.Equal(0UL, pair.ResponderTransport!.ReceiveNonce);
    }
}
