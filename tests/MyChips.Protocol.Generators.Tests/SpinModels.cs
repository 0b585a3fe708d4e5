using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>The SPIN model the generator emits for a spec text (its Document class's Promela constant).</summary>
public static class SpinModels
{
    public static string FromSpec(string specText)
    {
        var (run, _) = GeneratorHarness.Generate(specText);
        Assert.Empty(run.Diagnostics);
        var document = run.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith(".Document.g.cs", StringComparison.Ordinal));
        var field = document.SyntaxTree.GetRoot().DescendantNodes().OfType<VariableDeclaratorSyntax>().Single(v => v.Identifier.Text == "Promela");
        return ((Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax)field.Initializer!.Value).Token.ValueText;
    }
}
