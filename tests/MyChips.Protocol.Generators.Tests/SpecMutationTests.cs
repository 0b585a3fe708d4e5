namespace MyChips.Protocol.Generators.Tests;

/// <summary>
/// Broken specs give MCP errors, never a generator crash (which Roslyn would report as CS8785),
/// and a spec that passes the checks gives code that compiles: every line of the real specs is
/// dropped, doubled and cut short in turn.
/// </summary>
public sealed class SpecMutationTests
{
    public static TheoryData<string> Specs => new() { "mychips-peer.protocol", "ciyam-peer.protocol" };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_mutation_ends_in_spec_errors_or_valid_code(string spec)
    {
        var lines = GeneratorHarness.ReadSpec(spec).Split('\n');
        var runs = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0 || lines[i].TrimStart().StartsWith('#'))
                continue;
            foreach (var mutated in Mutations(lines, i))
            {
                var (run, output) = GeneratorHarness.Generate(string.Join('\n', mutated));
                Assert.All(run.Diagnostics, d => Assert.StartsWith("MCP", d.Id, StringComparison.Ordinal));
                Assert.Null(run.Results.Single().Exception);
                if (run.Diagnostics.IsEmpty)
                    Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
                runs++;
            }
        }
        Assert.True(runs > 50);
    }

    private static IEnumerable<string[]> Mutations(string[] lines, int index)
    {
        yield return lines.Where((_, i) => i != index).ToArray();
        yield return lines.Take(index + 1).Concat(lines.Skip(index)).ToArray();
        var line = lines[index];
        yield return lines.Select((l, i) => i == index ? line[..(line.Length / 2)] : l).ToArray();
    }
}
