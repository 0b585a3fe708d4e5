using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>Handshake steps report a refusal as an outcome naming its close reason by tag: every tag names one reason.</summary>
public sealed class CloseReasonTagTests
{
    [Fact]
    public void Every_reason_comes_back_from_its_tag_and_the_tags_are_distinct()
    {
        var reasons = Enum.GetValues<CloseReason>();

        Assert.All(reasons, reason => Assert.Equal(reason, CloseReasonExtensions.FromTag(reason.ToTag())));
        Assert.Equal(reasons.Length, reasons.Select(r => r.ToTag()).Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no_such_reason")]
    public void A_tag_that_names_no_reason_gives_none(string? tag) =>
        Assert.Equal(CloseReason.None, CloseReasonExtensions.FromTag(tag));
}
