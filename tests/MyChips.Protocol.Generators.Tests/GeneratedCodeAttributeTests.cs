using Microsoft.CodeAnalysis;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>Generated types carry [GeneratedCode], so analyzers and coverage tools leave them alone.</summary>
public sealed class GeneratedCodeAttributeTests
{
    [Theory]
    [MemberData(nameof(GeneratedSourceTests.Specs), MemberType = typeof(GeneratedSourceTests))]
    public void Every_top_level_generated_type_is_marked(string spec)
    {
        var (run, output) = GeneratorHarness.Generate(File.ReadAllText(Path.Combine(RepositoryPaths.Root, spec)), spec);
        var generatedTrees = run.GeneratedTrees.ToHashSet();

        var unmarked = output.GetSymbolsWithName(_ => true, SymbolFilter.Type)
            .OfType<INamedTypeSymbol>()
            .Where(type => type.ContainingType is null && type.DeclaringSyntaxReferences.Any(r => generatedTrees.Contains(r.SyntaxTree)))
            .Where(type => !type.GetAttributes().Any(a => a.AttributeClass?.Name == "GeneratedCodeAttribute"))
            .Select(type => type.ToDisplayString())
            .ToList();

        Assert.NotEmpty(generatedTrees);
        Assert.True(unmarked.Count == 0, "Not marked: " + string.Join(", ", unmarked));
    }
}
