using Microsoft.CodeAnalysis;
using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>The pipeline caches: an unchanged spec costs nothing, a comment edit regenerates nothing.</summary>
public sealed class IncrementalityTests
{
    private static readonly string[] TrackedSteps =
    {
        ProtocolGenerator.Steps.SpecText,
        ProtocolGenerator.Steps.Analysis,
        ProtocolGenerator.Steps.Diagnostics,
        ProtocolGenerator.Steps.Model,
    };

    [Fact]
    public void A_second_run_leaves_every_step_cached_or_unchanged()
    {
        var spec = new InMemorySpec("/specs/mychips-peer.protocol", GeneratorHarness.ReadSpec("mychips-peer.protocol"));
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(spec).RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.Clone());

        var result = driver.GetRunResult().Results.Single();
        foreach (var step in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
            AssertAll(result.TrackedSteps[step], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }
        Assert.NotEmpty(result.TrackedOutputSteps);
        foreach (var step in result.TrackedOutputSteps)
            AssertAll(step.Value, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void A_comment_only_edit_leaves_the_outputs_unchanged()
    {
        var original = GeneratorHarness.ReadSpec("mychips-peer.protocol");
        var spec = new InMemorySpec("/specs/mychips-peer.protocol", original);
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(spec).RunGenerators(compilation);

        var edited = new InMemorySpec(spec.Path, "# A new comment line that moves every line below it.\n" + original.Replace("# A 4-byte", "# Edited: a 4-byte", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(spec, edited).RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        AssertAll(result.TrackedSteps[ProtocolGenerator.Steps.SpecText], IncrementalStepRunReason.Modified);
        AssertAll(result.TrackedSteps[ProtocolGenerator.Steps.Analysis], IncrementalStepRunReason.Unchanged);
        AssertAll(result.TrackedSteps[ProtocolGenerator.Steps.Model], IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        foreach (var step in result.TrackedOutputSteps)
            AssertAll(step.Value, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void A_real_edit_regenerates_the_outputs()
    {
        var original = GeneratorHarness.ReadSpec("mychips-peer.protocol");
        var spec = new InMemorySpec("/specs/mychips-peer.protocol", original);
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(spec).RunGenerators(compilation);

        var edited = new InMemorySpec(spec.Path, original.Replace("timeout idle 60s", "timeout idle 90s", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(spec, edited).RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        AssertAll(result.TrackedSteps[ProtocolGenerator.Steps.Model], IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("FromMilliseconds(90000)", StringComparison.Ordinal));
    }

    private static void AssertAll(IEnumerable<IncrementalGeneratorRunStep> steps, params IncrementalStepRunReason[] allowed)
    {
        var outputs = steps.SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        foreach (var (_, reason) in outputs)
            Assert.Contains(reason, allowed);
    }
}
