using MyChips.Protocol.Noise;

namespace MyChips.Protocol.Tests.Noise;

public class NoiseProtocolTests
{
    [Fact]
    public void Parse_exposes_the_name_sections()
    {
        var protocol = NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_BLAKE2b");
        Assert.Equal("IK", protocol.Pattern.Name);
        Assert.Equal("25519", protocol.DhName);
        Assert.Equal("ChaChaPoly", protocol.CipherName);
        Assert.Equal("BLAKE2b", protocol.HashName);
        Assert.Equal(["<- s"], [.. protocol.Pattern.ResponderPreMessage.Select(t => "<- " + t.ToString().ToLowerInvariant())]);
        Assert.Equal(["-> e, es, s, ss", "<- e, ee, se"], protocol.Pattern.Messages.Select(m => m.ToString()));
    }

    [Fact]
    public void Every_one_way_fundamental_and_deferred_pattern_is_known()
    {
        string[] oneWay = ["N", "K", "X"];
        string[] fundamental = ["NN", "NK", "NX", "KN", "KK", "KX", "XN", "XK", "XX", "IN", "IK", "IX"];
        string[] deferred = ["NK1", "NX1", "X1N", "X1K", "XK1", "X1K1", "X1X", "XX1", "X1X1", "K1N", "K1K", "KK1", "K1K1",
            "K1X", "KX1", "K1X1", "I1N", "I1K", "IK1", "I1K1", "I1X", "IX1", "I1X1"];
        Assert.Equal(38, oneWay.Length + fundamental.Length + deferred.Length);
        Assert.Equal(oneWay.Concat(fundamental).Concat(deferred).Order(), HandshakePattern.BaseNames.Order());
        foreach (var name in oneWay)
            Assert.True(NoiseProtocol.Parse($"Noise_{name}_25519_ChaChaPoly_SHA256").Pattern.IsOneWay);
        foreach (var name in fundamental.Concat(deferred))
            Assert.False(NoiseProtocol.Parse($"Noise_{name}_25519_AESGCM_BLAKE2s").Pattern.IsOneWay);
    }

    [Fact]
    public void Several_psk_modifiers_place_their_tokens()
    {
        var pattern = NoiseProtocol.Parse("Noise_XXpsk0+psk1_25519_ChaChaPoly_SHA512").Pattern;
        Assert.Equal("XX", pattern.BaseName);
        Assert.Equal([0, 1], pattern.PskModifiers);
        // psk0 opens the first message, psk1 ends it (spec 9.4: pskN for N > 0 ends message N).
        Assert.Equal(["-> psk, e, psk", "<- e, ee, s, es", "-> s, se"], pattern.Messages.Select(m => m.ToString()));

        var deferred = NoiseProtocol.Parse("Noise_X1X1psk3_25519_ChaChaPoly_SHA512").Pattern;
        Assert.Equal("-> es, s, psk", deferred.Messages[2].ToString());
    }

    [Theory]
    [InlineData("Noise_IK_25519_ChaChaPoly", "Noise_PATTERN_DH_CIPHER_HASH")]
    [InlineData("Nois_IK_25519_ChaChaPoly_BLAKE2b", "Noise_PATTERN_DH_CIPHER_HASH")]
    [InlineData("Noise__25519_ChaChaPoly_BLAKE2b", "empty section")]
    [InlineData("Noise_XXpsk_25519_ChaChaPoly_BLAKE2b", "'psk'")]
    [InlineData("Noise_XXpsk0+_25519_ChaChaPoly_BLAKE2b", "empty modifier")]
    [InlineData("Noise_XXpsk4_25519_ChaChaPoly_BLAKE2b", "'psk4'")]
    [InlineData("Noise_XXpsk0+psk0_25519_ChaChaPoly_BLAKE2b", "repeats")]
    [InlineData("Noise_XXfoo_25519_ChaChaPoly_BLAKE2b", "'foo'")]
    [InlineData("Noise_xx_25519_ChaChaPoly_BLAKE2b", "'xx'")]
    public void Malformed_names_give_a_FormatException_naming_the_part(string name, string expected)
    {
        var error = Assert.Throws<FormatException>(() => NoiseProtocol.Parse(name));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(NoiseProtocol.TryParse(name, out _));
    }

    [Theory]
    [InlineData("Noise_XX_P256_ChaChaPoly_BLAKE2b", "'P256'")]
    [InlineData("Noise_XX_25519_AES256_BLAKE2b", "'AES256'")]
    [InlineData("Noise_XX_25519_ChaChaPoly_MD5", "'MD5'")]
    [InlineData("Noise_ZZ_25519_ChaChaPoly_BLAKE2b", "'ZZ'")]
    [InlineData("Noise_XXfallback_25519_ChaChaPoly_BLAKE2b", "'fallback'")]
    [InlineData("Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2b", "'hfs'")]
    public void Unsupported_parts_give_a_NotSupportedException_naming_the_part(string name, string expected)
    {
        var error = Assert.Throws<NotSupportedException>(() => NoiseProtocol.Parse(name));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(NoiseProtocol.TryParse(name, out _));
    }

    [Theory]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b", 32)]
    [InlineData("Noise_XX_448_AESGCM_SHA512", 56)]
    public void The_DH_name_sets_the_key_length(string name, int dhLength)
    {
        var protocol = NoiseProtocol.Parse(name);
        Assert.Equal(dhLength, protocol.DhLength);
        Assert.Equal(name.Split('_')[2], protocol.DhName);
    }

    [Fact]
    public void TryParse_returns_the_protocol()
    {
        Assert.True(NoiseProtocol.TryParse("Noise_N_25519_ChaChaPoly_BLAKE2b", out var protocol));
        Assert.Equal("Noise_N_25519_ChaChaPoly_BLAKE2b", protocol.Name);
        Assert.False(NoiseProtocol.TryParse(null, out _));
    }
}
