using Microsoft.CodeAnalysis;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>Two specs in one project that would generate the same protocol types.</summary>
public sealed class NameClashTests
{
    [Fact]
    public void The_second_spec_by_path_gets_an_error_and_the_first_is_generated_once()
    {
        var text = GeneratorHarness.ReadSpec("mychips-peer.protocol");
        var driver = GeneratorHarness.CreateDriver(new InMemorySpec("/specs/b/copy.protocol", text), new InMemorySpec("/specs/a/peer.protocol", text));

        var run = driver.RunGenerators(GeneratorHarness.CreateCompilation()).GetRunResult();

        var clash = Assert.Single(run.Diagnostics);
        Assert.Equal(("MCP0017", DiagnosticSeverity.Error, "/specs/b/copy.protocol"), (clash.Id, clash.Severity, clash.Location.GetLineSpan().Path));
        Assert.Contains("/specs/a/peer.protocol", clash.GetMessage(), StringComparison.Ordinal);
        Assert.All(run.Results, result => Assert.Null(result.Exception));
        Assert.Single(run.Results.SelectMany(r => r.GeneratedSources), s => s.HintName.EndsWith(".Packets.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_protocols_in_one_namespace_clash_since_their_types_would()
    {
        var peer = GeneratorHarness.ReadSpec("mychips-peer.protocol");
        var renamed = peer.Replace("protocol MyChipsPeer", "protocol OtherPeer", StringComparison.Ordinal);
        var driver = GeneratorHarness.CreateDriver(new InMemorySpec("/specs/a/peer.protocol", peer), new InMemorySpec("/specs/b/other.protocol", renamed));

        var run = driver.RunGenerators(GeneratorHarness.CreateCompilation()).GetRunResult();

        var clash = Assert.Single(run.Diagnostics);
        Assert.Equal(("MCP0017", "/specs/b/other.protocol"), (clash.Id, clash.Location.GetLineSpan().Path));
        Assert.Contains("MyChips.Protocol.Peers", clash.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Specs_with_different_names_do_not_clash()
    {
        var driver = GeneratorHarness.CreateDriver(
            new InMemorySpec("/specs/peer.protocol", GeneratorHarness.ReadSpec("mychips-peer.protocol")),
            new InMemorySpec("/specs/ciyam.protocol", GeneratorHarness.ReadSpec("ciyam-peer.protocol")));

        var run = driver.RunGenerators(GeneratorHarness.CreateCompilation()).GetRunResult();

        Assert.Empty(run.Diagnostics);
        Assert.Equal(2, run.Results.SelectMany(r => r.GeneratedSources).Count(s => s.HintName.EndsWith(".Packets.g.cs", StringComparison.Ordinal)));
    }
}
