using MyChips.Protocol.Framing;

namespace MyChips.Protocol.Tests.Framing;

/// <summary>Several messages in one body: written and split back, and every malformed body refused.</summary>
public sealed class LengthPrefixedEntriesTests
{
    private static byte[] Body(params string[] entries)
    {
        var body = new byte[entries.Sum(e => LengthPrefixedEntries.SizeOf(e.Length))];
        var at = 0;
        foreach (var entry in entries) at += LengthPrefixedEntries.Write(body.AsSpan(at), System.Text.Encoding.ASCII.GetBytes(entry));
        Assert.Equal(body.Length, at);
        return body;
    }

    [Fact]
    public void Entries_written_split_back_into_the_same_messages()
    {
        var body = Body("one", "two!", "x");
        Assert.Equal([0, 0, 0, 3, (byte)'o'], body[..5]);
        Assert.True(LengthPrefixedEntries.TrySplit(body, minimum: 2, out var entries));
        Assert.Equal(["one", "two!", "x"], entries.Select(e => System.Text.Encoding.ASCII.GetString(e)));
    }

    [Fact]
    public void Fewer_entries_than_the_minimum_are_refused() =>
        Assert.False(LengthPrefixedEntries.TrySplit(Body("alone"), minimum: 2, out _));

    [Theory]
    [InlineData(new byte[] { 0, 0, 0 })]                     // a header cut short
    [InlineData(new byte[] { 0, 0, 0, 0 })]                  // an empty entry
    [InlineData(new byte[] { 0, 0, 0, 5, 1, 2 })]            // longer than what is left
    [InlineData(new byte[] { 0x80, 0, 0, 1, 1 })]            // a negative length
    [InlineData(new byte[] { 0, 0, 0, 1, 7, 0, 0, 0, 1 })]   // a second entry without its byte
    public void A_malformed_body_is_refused(byte[] body) =>
        Assert.False(LengthPrefixedEntries.TrySplit(body, minimum: 1, out _));
}
