using MyChips.Peer.Commands;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Peer.Tests.Commands;

public class OptionParsersTests
{
    private const string Agent = "WILNVqu8ewAzgORrID-IGBDEDU6lfu4CKSdBZeVQ7JU";

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("48h", 172_800_000)]
    [InlineData("00:00:30", 30_000)]
    public void Durations_parse_with_units(string text, double milliseconds)
    {
        Assert.True(OptionParsers.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("-1s")]
    [InlineData("0s")]
    [InlineData("5 parsecs")]
    public void Bad_durations_are_refused(string text) => Assert.False(OptionParsers.TryParseDuration(text, out _));

    [Theory]
    [InlineData("strict", PeerMode.Strict)]
    [InlineData("mychips-js", PeerMode.MyChipsJs)]
    [InlineData("RAW", PeerMode.Raw)]
    public void Modes_parse_by_their_command_line_names(string text, PeerMode mode)
    {
        Assert.True(OptionParsers.TryParseMode(text, out var parsed));
        Assert.Equal(mode, parsed);
    }

    [Fact]
    public void A_destination_is_agent_at_host_colon_port_or_a_chip_address()
    {
        Assert.True(OptionParsers.TryParseDestination($"{Agent}@127.0.0.1:65430", out var plain, out _));
        Assert.Equal(new PeerDestination(AgentId.Parse(Agent), "127.0.0.1", 65430), plain);
        Assert.True(OptionParsers.TryParseDestination($"alice:{Agent}@peer.example:1", out var chad, out _));
        Assert.Equal("peer.example", chad!.Host);
        Assert.True(OptionParsers.TryParseDestination($"{Agent}@[::1]:9", out var ipv6, out _));
        Assert.Equal("::1", ipv6!.Host);
    }

    [Theory]
    [InlineData("nothing", "AGENT@HOST:PORT")]
    [InlineData("short@127.0.0.1:1", "agent id")]
    [InlineData(Agent + "@:1", "no host")]
    [InlineData(Agent + "@127.0.0.1:0", "port")]
    [InlineData(Agent + "@127.0.0.1:70000", "port")]
    [InlineData(Agent + "@127.0.0.1:x", "port")]
    public void Bad_destinations_say_what_is_wrong(string text, string problemPart)
    {
        Assert.False(OptionParsers.TryParseDestination(text, out _, out var problem));
        Assert.Contains(problemPart, problem, StringComparison.Ordinal);
    }
}
