using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Tests.Docs;

/// <summary>
/// The generator emits each protocol's Markdown page as a constant; the copies under docs/protocols/
/// must match it, so the docs change with the spec. On a mismatch the new page is written beside
/// the old one as <c>name.received.md</c> (accept with MYCHIPS_ACCEPT_GOLDEN=1).
/// </summary>
public sealed class ProtocolDocsTests
{
    public static TheoryData<string, string> Pages => new()
    {
        { MyChips.Protocol.Peers.MyChipsPeerDocument.FileName, MyChips.Protocol.Peers.MyChipsPeerDocument.Markdown },
        { MyChips.Protocol.Ciyam.CiyamPeerDocument.FileName, MyChips.Protocol.Ciyam.CiyamPeerDocument.Markdown },
        { MyChips.Protocol.Overlay.Wire.OverlayDocument.FileName, MyChips.Protocol.Overlay.Wire.OverlayDocument.Markdown },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_docs_copy_matches_the_generated_page(string fileName, string markdown)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "docs", "protocols");
        var page = Path.Combine(folder, fileName);
        var received = Path.ChangeExtension(page, ".received.md");
        var actual = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);

        if (File.Exists(page) && File.ReadAllText(page).Replace("\r\n", "\n", StringComparison.Ordinal) == actual)
        {
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable(GoldenFile.AcceptVariable) == "1")
        {
            File.WriteAllText(page, actual);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail($"{page} is out of date with its spec; review {received} and move it over the page (or run with {GoldenFile.AcceptVariable}=1).");
    }

    [Fact]
    public void The_mychips_page_has_the_packet_table_and_a_diagram_per_machine()
    {
        var markdown = MyChips.Protocol.Peers.MyChipsPeerDocument.Markdown;

        Assert.Contains("| Declare | `N` | initiator | N message 1 | AgentId |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Ack | `A` | responder | KK or IK message 2 | Capabilities |", markdown, StringComparison.Ordinal);
        Assert.Equal(2, markdown.Split("```mermaid").Length - 1);
        Assert.Contains("Listening --> Identified : receive Declare / LoadPeerKey", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_links_the_generated_pages()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        Assert.Contains("docs/protocols/mychips-peer.md", readme, StringComparison.Ordinal);
        Assert.Contains("docs/protocols/ciyam-peer.md", readme, StringComparison.Ordinal);
        Assert.Contains("docs/protocols/overlay.md", readme, StringComparison.Ordinal);
    }
}
