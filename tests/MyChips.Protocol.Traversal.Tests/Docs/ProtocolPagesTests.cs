using MyChips.Protocol.Testing;
using MyChips.Protocol.Traversal.Direct;
using MyChips.Protocol.Traversal.Rendezvous;

namespace MyChips.Protocol.Traversal.Tests.Docs;

/// <summary>The pages under docs/protocols/ for the rendezvous and direct-call specs match what the generator emits.</summary>
public sealed class ProtocolPagesTests
{
    public static TheoryData<string, string> Pages => new()
    {
        { RendezvousDocument.FileName, RendezvousDocument.Markdown },
        { DirectCallDocument.FileName, DirectCallDocument.Markdown },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_docs_copy_matches_the_generated_page(string fileName, string markdown)
    {
        var page = Path.Combine(RepositoryPaths.Root, "docs", "protocols", fileName);
        var actual = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable(GoldenFile.AcceptVariable) == "1") File.WriteAllText(page, actual);

        Assert.True(File.Exists(page), $"{page} is missing (run with {GoldenFile.AcceptVariable}=1 to write it)");
        Assert.True(File.ReadAllText(page).Replace("\r\n", "\n", StringComparison.Ordinal) == actual,
            $"{page} is out of date with its spec (run with {GoldenFile.AcceptVariable}=1 to rewrite it)");
    }
}
