using System;
using Microsoft.CodeAnalysis;
using MyChips.Protocol.Generators.Diagnostics;
using MyChips.Protocol.Generators.Emit;
using MyChips.Protocol.Generators.Model;
using MyChips.Protocol.Generators.Parsing;

namespace MyChips.Protocol.Generators;

/// <summary>
/// Reads every <c>*.protocol</c> file passed as AdditionalFiles and emits its packets, frame codec,
/// body codecs, state machines and Markdown page. The pipeline carries only equatable plain data.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ProtocolGenerator : IIncrementalGenerator
{
    public const string SpecExtension = ".protocol";

    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class Steps
    {
        public const string SpecText = nameof(SpecText);
        public const string Analysis = nameof(Analysis);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Model = nameof(Model);
        public const string Clashes = nameof(Clashes);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(SpecExtension, StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => new SpecText(file.Path, file.GetText(cancellationToken)?.ToString() ?? ""))
            .WithTrackingName(Steps.SpecText);

        var analyses = specs
            .Select(static (spec, _) => SpecAnalyzer.Analyze(spec.Path, spec.Text))
            .WithTrackingName(Steps.Analysis);

        var diagnostics = analyses
            .Select(static (analysis, _) => analysis.Diagnostics)
            .WithTrackingName(Steps.Diagnostics);

        var clashes = analyses.Collect()
            .Select(static (all, _) => NameClashes.Find(all))
            .WithTrackingName(Steps.Clashes);

        var models = analyses
            .Combine(clashes)
            .Where(static pair => pair.Left.Model is not null && !pair.Right.Loses(pair.Left))
            .Select(static (pair, _) => pair.Left.Model!)
            .WithTrackingName(Steps.Model);

        context.RegisterSourceOutput(diagnostics, static (output, items) =>
        {
            foreach (var item in items)
                output.ReportDiagnostic(SpecDiagnostics.ToDiagnostic(item));
        });

        context.RegisterSourceOutput(clashes, static (output, items) =>
        {
            foreach (var item in items)
                output.ReportDiagnostic(SpecDiagnostics.ToDiagnostic(item));
        });

        context.RegisterSourceOutput(models, static (output, model) =>
        {
            var prefix = model.Namespace + "." + model.Name;
            output.AddSource(prefix + ".Packets.g.cs", PacketEmitter.Emit(model));
            output.AddSource(prefix + ".Bodies.g.cs", BodyEmitter.Emit(model));
            foreach (var machine in model.Machines)
                output.AddSource(prefix + "." + machine.Name + ".g.cs", MachineEmitter.Emit(model, machine));
            output.AddSource(prefix + ".Engine.g.cs", EngineEmitter.Emit(model));
            output.AddSource(prefix + ".Document.g.cs", DocsEmitter.Emit(model));
        });
    }

    private sealed record SpecText(string Path, string Text);
}
