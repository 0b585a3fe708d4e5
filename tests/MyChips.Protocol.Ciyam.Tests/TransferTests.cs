using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Transfer;

namespace MyChips.Protocol.Ciyam.Tests;

public sealed class TransferTests
{
    private static readonly byte[] Hello = StoredFile.Compose(StoredFile.Blob, "hello"u8);

    [Fact]
    public void A_small_file_rides_inline_on_its_header_line()
    {
        var header = TransferHeader.For(Hello, chunk: 64);

        Assert.Equal("6:64.b64!01aGVsbG8=", header.ToLine());
        Assert.True(TransferHeader.TryParse(header.ToLine(), 1_000_000, out var parsed, out var problem), problem);
        Assert.Equal(Hello, parsed!.Inline);
        Assert.Equal((6L, 64), (parsed.Size, parsed.Chunk));
    }

    [Fact]
    public void A_larger_file_goes_in_dot_padded_chunks_that_join_back_to_its_bytes()
    {
        var stored = StoredFile.Compose(StoredFile.Blob, Enumerable.Range(0, 2_000).Select(i => (byte)i).ToArray());
        var header = TransferHeader.For(stored, chunk: 400);
        Assert.Null(header.Inline);
        Assert.Equal("2001:400.b64", header.ToLine());

        var chunks = Chunks.Split(stored, 400).ToList();

        Assert.Equal(Chunks.CountFor(stored.Length, 400), chunks.Count);
        Assert.All(chunks, c => Assert.Equal(400, c.Length));
        Assert.EndsWith(".", chunks[^1], StringComparison.Ordinal);
        Assert.True(Chunks.TryJoin(chunks, stored.Length, 400, out var joined));
        Assert.Equal(stored, joined);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("6:64")]
    [InlineData("0:64.b64")]
    [InlineData("2000001:64.b64")]
    [InlineData("6:63.b64")]
    [InlineData("6:200000.b64")]
    [InlineData("6:64.b64!zz")]
    [InlineData("7:64.b64!01aGVsbG8=")]
    [InlineData("-6:64.b64")]
    public void A_malformed_oversized_or_inconsistent_header_is_refused_with_a_reason(string line)
    {
        Assert.False(TransferHeader.TryParse(line, 1_000_000, out var header, out var problem));
        Assert.Null(header);
        Assert.NotEqual("", problem);
    }

    [Fact]
    public void Chunks_with_the_wrong_count_length_or_inner_padding_are_refused()
    {
        var stored = StoredFile.Compose(StoredFile.Blob, new byte[100]);
        var chunks = Chunks.Split(stored, 40).ToList();

        Assert.False(Chunks.TryJoin(chunks.Take(chunks.Count - 1).ToList(), stored.Length, 40, out _));
        Assert.False(Chunks.TryJoin([.. chunks.Take(chunks.Count - 1), chunks[^1][..^1]], stored.Length, 40, out _));
        Assert.False(Chunks.TryJoin([new string('.', 40), .. chunks.Skip(1)], stored.Length, 40, out _));
        Assert.False(Chunks.TryJoin(chunks, stored.Length + 1, 40, out _));
    }
}
