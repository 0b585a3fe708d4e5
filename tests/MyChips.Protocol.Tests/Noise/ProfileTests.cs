using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>The JavaScript-compatible profile (mychips-wire.md items 3 and 4) against the strict default.</summary>
public class ProfileTests
{
    [Fact]
    public void Strict_is_the_default_and_has_both_options_off()
    {
        Assert.Same(NoiseProfile.Strict, new NoiseHandshakeOptions().Profile);
        Assert.False(NoiseProfile.Strict.SwapTransportKeys);
        Assert.False(NoiseProfile.Strict.AllowLargeMessages);
        Assert.Equal(65535, NoiseProfile.Strict.MaxMessageLength);
    }

    [Theory]
    [InlineData("Noise_KK_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_IK_25519_ChaChaPoly_BLAKE2b")]
    public void Two_message_patterns_have_the_responder_send_with_the_first_key(string protocol)
    {
        using var strict = new NoisePair(protocol).Complete();
        using var compatible = new NoisePair(protocol, NoiseProfile.JavaScriptCompatible).Complete();
        // Same keys and ephemerals, so the same Split keys: the swapped responder writes what the strict initiator writes.
        var strictFromInitiator = Seal(strict.InitiatorTransport!);
        var compatibleFromResponder = Seal(compatible.ResponderTransport!);
        Assert.Equal(strictFromInitiator, compatibleFromResponder);
        Assert.Equal(5, compatible.InitiatorTransport!.Decrypt(compatibleFromResponder, new byte[5]));

        var strictFromResponder = Seal(strict.ResponderTransport!);
        var compatibleFromInitiator = Seal(compatible.InitiatorTransport!);
        Assert.Equal(strictFromResponder, compatibleFromInitiator);
        Assert.NotEqual(strictFromInitiator, compatibleFromInitiator);
    }

    [Fact]
    public void Patterns_ending_with_the_initiator_are_not_swapped()
    {
        const string xx = "Noise_XX_25519_ChaChaPoly_BLAKE2b";
        using var strict = new NoisePair(xx).Complete();
        using var compatible = new NoisePair(xx, NoiseProfile.JavaScriptCompatible).Complete();
        Assert.Equal(Seal(strict.InitiatorTransport!), Seal(compatible.InitiatorTransport!));
    }

    [Fact]
    public void The_compatible_profile_carries_messages_over_65535_bytes()
    {
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b", NoiseProfile.JavaScriptCompatible).Complete();
        var plaintext = new byte[200_000];
        Random.Shared.NextBytes(plaintext);
        var ciphertext = new byte[plaintext.Length + NoiseTransport.TagLength];
        pair.ResponderTransport!.Encrypt(plaintext, ciphertext);
        var received = new byte[plaintext.Length];
        Assert.Equal(plaintext.Length, pair.InitiatorTransport!.Decrypt(ciphertext, received));
        Assert.Equal(plaintext, received);
    }

    [Fact]
    public void Each_option_can_be_chosen_alone()
    {
        var swapOnly = new NoiseProfile { SwapTransportKeys = true };
        Assert.Equal(65535, swapOnly.MaxMessageLength);
        using var pair = new NoisePair("Noise_KK_25519_ChaChaPoly_BLAKE2b", swapOnly).Complete();
        Assert.Throws<NoiseException>(() => pair.ResponderTransport!.Encrypt(new byte[65520], new byte[65536]));
    }

    private static byte[] Seal(NoiseTransport transport)
    {
        var ciphertext = new byte[5 + NoiseTransport.TagLength];
        transport.Encrypt("hello"u8, ciphertext);
        return ciphertext;
    }
}
