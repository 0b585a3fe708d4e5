using System.Security.Cryptography;
using MyChips.Protocol.Noise;
using MyChips.Protocol.Noise.Primitives;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace MyChips.Protocol.Tests.Noise;

/// <summary>Known answers for the primitives, and HMAC as RFC 2104 over the hash block (not keyed BLAKE2).</summary>
public class PrimitiveTests
{
    [Fact]
    public void X25519_matches_RFC_7748()
    {
        var alicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        var alicePublic = new byte[32];
        X25519Keys.DerivePublicKey(alicePrivate, alicePublic);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePublic));
        var shared = new byte[32];
        X25519Keys.Agree(alicePrivate, bobPublic, shared);
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(shared));
    }

    [Fact]
    public void Generated_key_pairs_are_fresh_and_consistent()
    {
        Span<byte> private1 = stackalloc byte[32], public1 = stackalloc byte[32], private2 = stackalloc byte[32], public2 = stackalloc byte[32];
        X25519Keys.GenerateKeyPair(private1, public1);
        X25519Keys.GenerateKeyPair(private2, public2);
        Assert.False(private1.SequenceEqual(private2));
        Span<byte> derived = stackalloc byte[32];
        X25519Keys.DerivePublicKey(private1, derived);
        Assert.True(derived.SequenceEqual(public1));
        Assert.Throws<ArgumentException>(() => X25519Keys.DerivePublicKey(new byte[31], new byte[32]));
    }

    [Theory]
    [InlineData("BLAKE2b", "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")]
    [InlineData("BLAKE2s", "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982")]
    [InlineData("SHA256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("SHA512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    public void Hashes_match_their_abc_test_vectors(string name, string expected)
    {
        using var hash = NoiseHash.Create(name);
        var output = new byte[hash.HashLength];
        hash.Hash("ab"u8, "c"u8, output);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
        hash.Hash("abc"u8, default, output); // Finish resets: the same answer again.
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Hmac_sha256_and_sha512_match_the_BCL()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var data = RandomNumberGenerator.GetBytes(100);
        using var sha256 = NoiseHash.Create("SHA256");
        var output = new byte[32];
        sha256.Hmac(key, data.AsSpan(0, 40), data.AsSpan(40), output);
        Assert.Equal(HMACSHA256.HashData(key, data), output);

        using var sha512 = NoiseHash.Create("SHA512");
        var output512 = new byte[64];
        sha512.Hmac(key, data, default, output512);
        Assert.Equal(HMACSHA512.HashData(key, data), output512);
    }

    [Theory]
    [InlineData("BLAKE2b")]
    [InlineData("BLAKE2s")]
    public void Hmac_blake2_is_RFC_2104_over_the_block(string name)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var data = RandomNumberGenerator.GetBytes(100);
        using var hash = NoiseHash.Create(name);
        var output = new byte[hash.HashLength];
        hash.Hmac(key, data, default, output);

        var reference = new HMac(name == "BLAKE2b" ? new Blake2bDigest(512) : new Blake2sDigest(256));
        reference.Init(new KeyParameter(key));
        reference.BlockUpdate(data, 0, data.Length);
        var expected = new byte[reference.GetMacSize()];
        reference.DoFinal(expected, 0);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Ciphers_refuse_a_tampered_tag_and_zero_the_output()
    {
        foreach (var cipher in new NoiseCipher[] { ChaChaPolyCipher.Instance, AesGcmCipher.Instance })
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var ciphertext = new byte[20];
            cipher.Encrypt(key, 7, "ad"u8, "four"u8, ciphertext);
            var plaintext = new byte[4];
            Assert.True(cipher.Decrypt(key, 7, "ad"u8, ciphertext, plaintext));
            Assert.Equal("four"u8.ToArray(), plaintext);
            Assert.False(cipher.Decrypt(key, 8, "ad"u8, ciphertext, plaintext));
            Assert.Equal(new byte[4], plaintext);
            Assert.False(cipher.Decrypt(key, 7, "AD"u8, ciphertext, plaintext));
        }
    }
}
