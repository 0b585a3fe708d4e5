using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using MyChips.Protocol.Generators.Model;
using MyChips.Protocol.Generators.Parsing;

namespace MyChips.Protocol.Generators.Diagnostics;

/// <summary>
/// Two specs in one project and one namespace would generate the same types (<c>PacketType</c>, <c>FrameCodec</c>,
/// the codecs...). The first by path is generated; every other one gets an error naming it, instead of a
/// generator crash or a pile of duplicate-type errors in generated code.
/// </summary>
internal static class NameClashes
{
    public static EquatableArray<DiagnosticInfo> Find(ImmutableArray<SpecResult> specs)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        var clashes = new List<DiagnosticInfo>();
        foreach (var spec in specs.Where(s => s.Model is not null).OrderBy(s => s.Path, StringComparer.Ordinal))
        {
            var name = spec.Model!.Namespace;
            if (first.TryGetValue(name, out var owner))
                clashes.Add(new DiagnosticInfo(SpecDiagnostics.NamespaceClash,
                    $"Namespace {name} already holds the protocol generated from {owner}; give each spec a namespace of its own.",
                    spec.Path, 0, 0, 0, 0, 0, 0));
            else
                first.Add(name, spec.Path);
        }
        return clashes.ToEquatableArray();
    }

    public static bool Loses(this EquatableArray<DiagnosticInfo> clashes, SpecResult spec) =>
        clashes.Any(clash => clash.Path == spec.Path);
}
