using Microsoft.CodeAnalysis;
using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Diagnostics;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>The parse and check of one spec file, as cacheable plain data.</summary>
internal sealed record SpecResult(string Path, ProtocolModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Parses a spec, checks it, and builds the model the emitters read.</summary>
internal static class SpecAnalyzer
{
    public static SpecResult Analyze(string path, string text)
    {
        var (syntax, errors) = SpecParser.Parse(text);
        var report = new DiagnosticSink(path);
        foreach (var (span, message) in errors)
            report.Add(SpecDiagnostics.SyntaxError, span, message);

        // Meaning checks on a spec that does not parse would only repeat the syntax errors.
        var checker = new SpecChecker(syntax, report);
        if (errors.Count == 0)
            checker.Check();

        var diagnostics = report.Items.ToEquatableArray();
        if (report.Items.Count > 0)
            return new SpecResult(path, null, diagnostics);
        return new SpecResult(path, ModelBuilder.Build(path, syntax), diagnostics);
    }
}

internal sealed class DiagnosticSink
{
    private readonly string _path;

    public DiagnosticSink(string path) => _path = path;

    public List<DiagnosticInfo> Items { get; } = new();

    public void Add(DiagnosticDescriptor descriptor, SourceSpan span, string message) =>
        Items.Add(new DiagnosticInfo(descriptor, message, _path, span.Start, span.Length, span.Line, span.Column, span.Line, span.Column + span.Length));
}
