using System.Collections.Generic;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

// The spec as written, with the position of every name, for the checks that report errors.

internal sealed record Named(string Name, SourceSpan Span);

internal sealed class SpecSyntax
{
    public Named? Protocol { get; set; }

    /// <summary>Where the text ends: the place to report a line that is missing.</summary>
    public SourceSpan End { get; set; }
    public Named? Namespace { get; set; }
    public string Title { get; set; } = "";
    public FramingKind? Framing { get; set; }
    public SourceSpan FramingSpan { get; set; }
    public int MaxFrameLength { get; set; }
    public List<Named> Roles { get; } = new();
    public List<BodySyntax> Bodies { get; } = new();
    public List<PacketSyntax> Packets { get; } = new();
    public List<PropertySyntax> Properties { get; } = new();
    public List<MachineSyntax> Machines { get; } = new();
}

internal sealed class BodySyntax
{
    public Named Name { get; set; } = null!;
    public BodyEncoding Encoding { get; set; }
    public List<FieldModel> Fields { get; } = new();
    public List<SourceSpan> FieldSpans { get; } = new();
    public string Description { get; set; } = "";
}

internal sealed class PacketSyntax
{
    public Named Name { get; set; } = null!;
    public Token TypeToken { get; set; }
    public List<Named> Senders { get; } = new();
    public NoiseStage Stage { get; set; }
    public List<string> NoisePatterns { get; } = new();
    public int MessageIndex { get; set; }
    public Named? Body { get; set; }
    public string Description { get; set; } = "";
}

internal sealed class StateSyntax
{
    public Named Name { get; set; } = null!;
    public bool Initial { get; set; }
    public bool Final { get; set; }
    public string Description { get; set; } = "";
}

internal sealed class EventSyntax
{
    public Named Name { get; set; } = null!;
    public List<ParameterModel> Parameters { get; } = new();
    public string Description { get; set; } = "";
}

internal sealed class TimeoutSyntax
{
    public Named Name { get; set; } = null!;
    public long Milliseconds { get; set; }
}

internal sealed class TriggerRef
{
    public TriggerKind Kind { get; set; }
    public Named Name { get; set; } = null!;
}

internal sealed class TransitionSyntax
{
    /// <summary>The source states; empty when the line says <c>any</c>.</summary>
    public List<Named> From { get; } = new();
    public bool FromAny { get; set; }
    public SourceSpan FromSpan { get; set; }
    public TriggerRef Trigger { get; set; } = null!;
    public Named? To { get; set; }
    public Named? Guard { get; set; }
    public List<Named> Actions { get; } = new();

    /// <summary>The packets the transition's actions send, for the model checker (the <c>send</c> clause).</summary>
    public List<Named> Sends { get; } = new();
}

/// <summary>A <c>property</c> line: a claim about one machine that the model checker verifies.</summary>
internal sealed class PropertySyntax
{
    public Named Name { get; set; } = null!;
    public string Description { get; set; } = "";
    public Named Machine { get; set; } = null!;
    public PropertyKind Kind { get; set; }
    public List<Named> States { get; } = new();
    public List<Named> Packets { get; } = new();
    public int Count { get; set; }
}

internal sealed class MachineSyntax
{
    public Named Name { get; set; } = null!;
    public Named? Role { get; set; }
    public List<StateSyntax> States { get; } = new();
    public List<EventSyntax> Events { get; } = new();
    public List<TimeoutSyntax> Timeouts { get; } = new();
    public List<(Named Name, string Description)> Guards { get; } = new();
    public List<TransitionSyntax> Transitions { get; } = new();
}
