using System.Globalization;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>
/// <c>property name ["description"]: Machine form</c>, where form is one of <c>reaches S after P [or Q...]</c>,
/// <c>receives P at most N</c>, <c>receives P before Q[, R...]</c>, <c>alternates P, Q</c>, <c>ends in S[, T...]</c>.
/// </summary>
internal sealed partial class SpecParser
{
    private void ParseProperty()
    {
        var property = new PropertySyntax { Name = ExpectName("a property name") };
        if (Peek().Kind == TokenKind.String)
            property.Description = Next().Text;
        ExpectSymbol(":");
        property.Machine = ExpectName("a machine name");
        var form = Next();
        if (form.Is("reaches"))
        {
            property.Kind = PropertyKind.ReachesAfter;
            property.States.Add(ExpectName("a state name"));
            ExpectKeyword("after");
            do
            {
                property.Packets.Add(ExpectName("a packet name"));
            }
            while (TryTakeKeyword("or"));
        }
        else if (form.Is("receives"))
        {
            property.Packets.Add(ExpectName("a packet name"));
            if (TryTakeKeyword("at"))
            {
                ExpectKeyword("most");
                property.Kind = PropertyKind.AtMost;
                var count = Expect(TokenKind.Number, "a count");
                if (!int.TryParse(count.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 100)
                    throw Error(count, $"Expected a count from 0 to 100 but found '{count.Text}'.");
                property.Count = value;
            }
            else
            {
                ExpectKeyword("before");
                property.Kind = PropertyKind.Before;
                ParsePacketList(property);
            }
        }
        else if (form.Is("alternates"))
        {
            property.Kind = PropertyKind.Alternates;
            property.Packets.Add(ExpectName("a packet name"));
            ExpectSymbol(",");
            property.Packets.Add(ExpectName("a packet name"));
        }
        else if (form.Is("ends"))
        {
            property.Kind = PropertyKind.EndsIn;
            ExpectKeyword("in");
            do
            {
                property.States.Add(ExpectName("a state name"));
            }
            while (TryTake(","));
        }
        else
        {
            throw Error(form, $"Expected a property form (reaches, receives, alternates, ends) but found {form.Describe()}.");
        }
        _spec.Properties.Add(property);
    }

    private void ParsePacketList(PropertySyntax property)
    {
        do
        {
            property.Packets.Add(ExpectName("a packet name"));
        }
        while (TryTake(","));
    }

    private bool TryTakeKeyword(string keyword)
    {
        if (!Peek().Is(keyword))
            return false;
        Next();
        return true;
    }
}
