using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Tests.Keys;

public sealed class NoiseStaticKeyTests
{
    [Fact]
    public void A_key_off_the_curve_has_no_noise_key_and_says_so()
    {
        var offCurve = Curve25519Math.FirstOffCurveEncoding();
        var agent = AgentId.FromPublicKey(offCurve);

        Assert.False(NoiseStaticKey.TryFromAgent(agent, new byte[32]));
        var error = Assert.Throws<ArgumentException>(() => NoiseStaticKey.FromAgent(agent));
        Assert.Contains(agent.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid Ed25519 curve point", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // the neutral point
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")] // a point of order 4
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // y = -1, order 2
    public void A_small_order_key_has_no_noise_key(string hex)
    {
        var destination = new byte[32];
        destination.AsSpan().Fill(0xaa);

        Assert.False(NoiseStaticKey.TryFromEd25519PublicKey(Convert.FromHexString(hex), destination));
        Assert.All(destination, b => Assert.Equal(0, b)); // nothing half-written is left for a caller to use
        Assert.Throws<ArgumentException>(() => NoiseStaticKey.FromEd25519PublicKey(Convert.FromHexString(hex)));
    }

    [Fact]
    public void A_record_converts_the_key_the_site_trusts_not_the_id()
    {
        using var named = AgentKey.Generate("a.example", 1);
        using var trusted = AgentKey.Generate("a.example", 1);
        var record = new AgentRecord(named.Agent, trusted.Ed25519PublicKey.ToArray(), "a.example", 1);

        Assert.Equal(trusted.NoisePublicKey.ToArray(), NoiseStaticKey.FromRecord(record));
        Assert.NotEqual(named.NoisePublicKey.ToArray(), NoiseStaticKey.FromRecord(record));
    }

    [Fact]
    public void Wrong_lengths_and_the_empty_id_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NoiseStaticKey.FromEd25519PublicKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => NoiseStaticKey.FromAgent(default));
        Assert.False(NoiseStaticKey.TryFromAgent(default, new byte[32]));
    }
}
