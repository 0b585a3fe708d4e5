using Microsoft.CodeAnalysis;

namespace MyChips.Protocol.Generators.Diagnostics;

/// <summary>A diagnostic as plain data: equatable, so it can travel through the pipeline.</summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string Message,
    string Path,
    int Start,
    int Length,
    int Line,
    int Column,
    int EndLine,
    int EndColumn);
