using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>A spec handed to the generator as an AdditionalFile.</summary>
public sealed class InMemorySpec(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

/// <summary>Runs the generator the way a consuming project's build does, and compiles its output.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static string ReadSpec(string fileName) => File.ReadAllText(RepositoryPaths.Spec(fileName));

    public static string ReadTestSpec(string fileName) =>
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "MyChips.Protocol.Generators.Tests", "Specs", fileName));

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            s_references.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                // As the .NET SDK does: reference version unification is not a problem of the code.
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver CreateDriver(params AdditionalText[] specs) =>
        CSharpGeneratorDriver.Create(
            new[] { new ProtocolGenerator().AsSourceGenerator() },
            specs,
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generates from one spec text; returns the run and the compilation with the generated code.</summary>
    public static (GeneratorDriverRunResult Run, Compilation Output) Generate(string specText, string path = "/specs/test.protocol")
    {
        var driver = CreateDriver(new InMemorySpec(path, specText));
        driver = driver.RunGeneratorsAndUpdateCompilation(CreateCompilation(), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    public static ImmutableArray<Diagnostic> GeneratorDiagnostics(string specText) => Generate(specText).Run.Diagnostics;

    /// <summary>The IDs of every descriptor the generator declares (its table is internal to it).</summary>
    public static IReadOnlyList<string> DiagnosticIds()
    {
        var table = typeof(ProtocolGenerator).Assembly.GetType("MyChips.Protocol.Generators.Diagnostics.SpecDiagnostics", throwOnError: true)!;
        var all = (DiagnosticDescriptor[])table.GetField("All")!.GetValue(null)!;
        return all.Select(d => d.Id).ToArray();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Stateless.StateMachine<,>).Assembly.Location)
            // The runtime generated code builds on; it holds no generated code of its own to clash with.
            .Append(typeof(MyChips.Protocol.Connections.ProtocolDescription).Assembly.Location)
            .Append(typeof(MessagePack.MessagePackWriter).Assembly.Location)
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
