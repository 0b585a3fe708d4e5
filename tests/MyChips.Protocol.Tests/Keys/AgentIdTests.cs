using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Tests.Keys;

public sealed class AgentIdTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void An_id_is_the_public_key_in_unpadded_base64url()
    {
        var id = AgentId.FromPublicKey(Key);

        Assert.Equal(AgentId.TextLength, id.ToString().Length);
        Assert.Equal(Convert.ToBase64String(Key).TrimEnd('=').Replace('+', '-').Replace('/', '_'), id.ToString());
        Assert.Equal(Key, AgentId.Parse(id.ToString()).ToPublicKey());
        Assert.Equal(id, AgentId.Parse(id.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("BwUOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK-2vcTL0tk=")] // padded: 44 characters
    [InlineData("BwUOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tk")] // '+' is not base64url
    public void Malformed_ids_are_refused_with_a_message(string text)
    {
        Assert.False(AgentId.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => AgentId.Parse(text));
        Assert.Contains("base64url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_canonical_spelling_of_a_key_is_refused()
    {
        var canonical = AgentId.FromPublicKey(Key).ToString();
        // The last character carries 4 unused low bits; flipping one names the same bytes.
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(canonical[^1], StringComparison.Ordinal);
        var sibling = canonical[..^1] + alphabet[last ^ 1];

        Assert.False(AgentId.TryParse(sibling, out _));
    }

    [Fact]
    public void A_chip_address_round_trips_through_its_legacy_text_form()
    {
        var address = new ChipAddress("user_1", AgentId.FromPublicKey(Key), "peer.example", 65430);

        var parsed = ChipAddress.Parse(address.ToString());

        Assert.Equal(address, parsed);
        Assert.False(ChipAddress.TryParse("user_1@host:1", out _));
        Assert.False(ChipAddress.TryParse($"u:{address.Agent}@host:70000", out _));
    }
}
