using System.Security.Cryptography;
using MyChips.Protocol.Keys;
using Org.BouncyCastle.Crypto.Parameters;

namespace MyChips.Protocol.Tests.Keys;

public sealed class AgentKeyTests
{
    // Computed with Node.js sodium-native 4.3.3: crypto_sign_seed_keypair on the seed 01 02 .. 20, then
    // crypto_sign_ed25519_sk_to_curve25519 and crypto_sign_ed25519_pk_to_curve25519.
    private const string KnownSeed = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    private const string KnownPublicKey = "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
    private const string KnownAgent = "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ";
    private const string KnownNoisePrivate = "70788f1a0cea001a2631dae5d05dbd062008d5b30f50b9e29beb2a7822289044";
    private const string KnownNoisePublic = "4a3807d064d077181cc070989e76891d20dca5559548dc2c77c1a50273882b38";

    [Fact]
    public void A_seed_gives_the_keys_sodium_native_gives()
    {
        using var key = AgentKey.FromSeed(Convert.FromHexString(KnownSeed), "peer.example", 65430);

        Assert.Equal(KnownAgent, key.Agent.ToString());
        Assert.Equal(KnownPublicKey, Convert.ToHexStringLower(key.Ed25519PublicKey));
        Assert.Equal(KnownSeed + KnownPublicKey, Convert.ToHexStringLower(key.Ed25519SecretKey));
        Assert.Equal(KnownNoisePrivate, Convert.ToHexStringLower(key.NoisePrivateKey));
        Assert.Equal(KnownNoisePublic, Convert.ToHexStringLower(key.NoisePublicKey));
        Assert.Equal(KnownNoisePublic, Convert.ToHexStringLower(NoiseStaticKey.FromAgent(key.Agent)));
    }

    [Fact]
    public void Derived_keys_agree_with_an_implementation_that_is_not_libsodium()
    {
        for (var i = 0; i < 16; i++)
        {
            using var key = AgentKey.Generate("localhost", 0);
            var seed = key.Ed25519Seed.ToArray();

            // Ed25519 public key (BouncyCastle).
            Assert.Equal(new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded(), key.Ed25519PublicKey.ToArray());

            // X25519 secret: SHA-512 of the seed, first half, clamped (RFC 8032 / RFC 7748).
            var expectedSecret = SHA512.HashData(seed)[..32];
            expectedSecret[0] &= 248;
            expectedSecret[31] &= 127;
            expectedSecret[31] |= 64;
            Assert.Equal(expectedSecret, key.NoisePrivateKey.ToArray());

            // X25519 public key of that secret (BouncyCastle) = the Edwards-to-Montgomery map of the Ed25519 key.
            var montgomery = new X25519PrivateKeyParameters(expectedSecret).GeneratePublicKey().GetEncoded();
            Assert.Equal(montgomery, key.NoisePublicKey.ToArray());
            Assert.Equal(montgomery, Curve25519Math.EdwardsToMontgomery(key.Ed25519PublicKey));
            Assert.Equal(montgomery, NoiseStaticKey.FromAgent(key.Agent));
        }
    }

    [Fact]
    public void Two_sites_compute_the_same_secret_from_their_own_key_and_the_other_agent_id()
    {
        using var alice = AgentKey.Generate("alice.example", 65430);
        using var bob = AgentKey.Generate("bob.example", 65431);

        var aliceView = Agree(alice.NoisePrivateKey.ToArray(), NoiseStaticKey.FromAgent(bob.Agent));
        var bobView = Agree(bob.NoisePrivateKey.ToArray(), NoiseStaticKey.FromAgent(alice.Agent));

        Assert.Equal(aliceView, bobView);
        Assert.NotEqual(new byte[32], aliceView);
    }

    [Fact]
    public void Generated_identities_differ_and_keep_their_endpoint()
    {
        using var first = AgentKey.Generate("peer.example", 65430);
        using var second = AgentKey.Generate("peer.example", 65430);

        Assert.NotEqual(first.Agent, second.Agent);
        Assert.Equal("peer.example", first.Host);
        Assert.Equal(65430, first.Port);
        Assert.Equal(first.Ed25519PublicKey.ToArray(), first.ToRecord().Ed25519PublicKey.ToArray());
        Assert.Equal(("peer.example", 65430), (first.ToRecord().Host, first.ToRecord().Port));
        Assert.True(first.ToRecord().KeyMatchesId());
        Assert.Equal($"u1:{first.Agent}@peer.example:65430", first.AddressOf("u1").ToString());
    }

    [Fact]
    public void The_same_seed_at_another_endpoint_is_the_same_agent()
    {
        using var key = AgentKey.Generate("a.example", 1);
        using var moved = key.WithEndpoint("b.example", 2);

        Assert.Equal(key.Agent, moved.Agent);
        Assert.Equal(("b.example", 2), (moved.Host, moved.Port));
        Assert.Equal(key.NoisePrivateKey.ToArray(), moved.NoisePrivateKey.ToArray());
    }

    [Fact]
    public void Dispose_zeroes_the_secrets_and_refuses_to_hand_them_out()
    {
        var key = AgentKey.Generate("localhost", 0);
        var secretKey = GetField(key, "_secretKey");
        var noisePrivate = GetField(key, "_noisePrivateKey");
        Assert.Contains(secretKey, b => b != 0);

        key.Dispose();
        key.Dispose(); // twice is harmless

        Assert.All(secretKey, b => Assert.Equal(0, b));
        Assert.All(noisePrivate, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.Ed25519Seed.Length);
        Assert.Throws<ObjectDisposedException>(() => key.Ed25519SecretKey.Length);
        Assert.Throws<ObjectDisposedException>(() => key.NoisePrivateKey.Length);
        Assert.Equal(32, key.NoisePublicKey.Length); // public parts stay readable
    }

    [Theory]
    [InlineData(31)]
    [InlineData(64)]
    public void A_seed_of_the_wrong_length_is_refused(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => AgentKey.FromSeed(new byte[length], "localhost", 1));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_endpoint_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AgentKey.Generate("localhost", 65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => AgentKey.Generate("localhost", -1));
        Assert.Throws<ArgumentException>(() => AgentKey.Generate(" ", 1));
    }

    private static byte[] Agree(byte[] privateKey, byte[] publicKey)
    {
        var shared = new byte[32];
        new X25519PrivateKeyParameters(privateKey).GenerateSecret(new X25519PublicKeyParameters(publicKey), shared, 0);
        return shared;
    }

    private static byte[] GetField(AgentKey key, string name) =>
        (byte[])typeof(AgentKey).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(key)!;
}
