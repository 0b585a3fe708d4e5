using System.Text;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;

namespace MyChips.Protocol.Tests.Peers;

/// <summary>The first message of a connection in the compatible modes: <c>from</c> stamped as the deployed sender does.</summary>
public class FirstMessageJsonTests
{
    private static readonly AgentKey Local = AgentKey.Generate("site.example", 65430);

    private static string Stamp(string json, ConnectionTicket? ticket = null) =>
        Encoding.UTF8.GetString(FirstMessageJson.Stamp(Encoding.UTF8.GetBytes(json), ticket, Local, 0).Span);

    private static string From => $$$"""{"agent":"{{{Local.Agent}}}","host":"site.example","port":65430}""";

    [Fact]
    public void A_message_without_from_gets_one_naming_the_site()
    {
        Assert.Equal($$$"""{"target":"tally","n":1,"from":{{{From}}}}""", Stamp("""{"target":"tally","n":1}"""));
    }

    [Fact]
    public void The_application_s_from_keeps_its_place_and_its_other_members_and_its_address_is_overwritten()
    {
        var stamped = Stamp("""{"from":{"cuid":"alice","agent":"someone-else","port":1},"to":{"cuid":"bob"}}""");
        Assert.Equal($$$"""{"from":{"cuid":"alice","agent":"{{{Local.Agent}}}","host":"site.example","port":65430},"to":{"cuid":"bob"}}""", stamped);
    }

    [Fact]
    public void A_from_that_is_not_an_object_is_replaced()
    {
        Assert.Equal($$$"""{"from":{{{From}}}}""", Stamp("""{"from":"nobody"}"""));
    }

    [Fact]
    public void A_ticket_is_added_only_when_the_message_has_none()
    {
        var ticket = new ConnectionTicket("tok", DateTimeOffset.Parse("2030-01-01T00:00:00Z"), new ChipAddress("bob", Local.Agent, "b.example", 1));
        Assert.Contains("\"token\":\"tok\"", Stamp("""{"target":"tally"}""", ticket), StringComparison.Ordinal);
        Assert.StartsWith("""{"ticket":{"token":"mine"}""", Stamp("""{"ticket":{"token":"mine"}}""", ticket), StringComparison.Ordinal);
        Assert.DoesNotContain("tok\"", Stamp("""{"ticket":{"token":"mine"}}""", ticket), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"a\":\"\xff\"}")]
    public void A_message_that_does_not_parse_goes_as_written(string json)
    {
        var bytes = Encoding.Latin1.GetBytes(json);
        Assert.Equal(bytes, FirstMessageJson.Stamp(bytes, null, Local, 0).ToArray());
    }

    [Theory]
    [InlineData("""{"target":"tally","action":"ticket","ticket":{"token":"t"}}""", true)]
    [InlineData("""{"target":"tally","action":"ticket"}""", false)]
    [InlineData("""{"target":"chit","action":"ticket","ticket":{"token":"t"}}""", false)]
    [InlineData("""{"target":"tally","action":"offer","ticket":{"token":"t"}}""", false)]
    [InlineData("""{"target":"tally","action":"ticket","ticket":"t"}""", false)]
    [InlineData("{broken", false)]
    public void Only_a_tally_ticket_opens_with_I(string json, bool opensWithI)
    {
        Assert.Equal(opensWithI, FirstMessageJson.IsTallyTicket(Encoding.UTF8.GetBytes(json)));
    }
}
