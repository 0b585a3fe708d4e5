using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace MyChips.Protocol.Generators.Diagnostics;

/// <summary>The stable diagnostic IDs of the spec language; never renumber them.</summary>
internal static class SpecDiagnostics
{
    public const string Category = "MyChips.Protocol.Spec";

    public static readonly DiagnosticDescriptor SyntaxError = Create("MCP0001", "Syntax error in protocol spec");
    public static readonly DiagnosticDescriptor UnknownState = Create("MCP0002", "Unknown state");
    public static readonly DiagnosticDescriptor UnknownPacket = Create("MCP0003", "Unknown packet");
    public static readonly DiagnosticDescriptor DuplicateTypeByte = Create("MCP0004", "Duplicate packet type");
    public static readonly DiagnosticDescriptor NoInitialState = Create("MCP0005", "No initial state");
    public static readonly DiagnosticDescriptor UnreachableState = Create("MCP0006", "Unreachable state");
    public static readonly DiagnosticDescriptor TransitionFromFinalState = Create("MCP0007", "Transition out of a final state");
    public static readonly DiagnosticDescriptor WrongSenderRole = Create("MCP0008", "Packet received from the wrong role");
    public static readonly DiagnosticDescriptor UndeclaredBody = Create("MCP0009", "Undeclared body type");
    public static readonly DiagnosticDescriptor UnusedTrigger = Create("MCP0010", "Trigger with no transition");
    public static readonly DiagnosticDescriptor DuplicateName = Create("MCP0011", "Duplicate name");
    public static readonly DiagnosticDescriptor UnknownTrigger = Create("MCP0012", "Unknown event or timeout");
    public static readonly DiagnosticDescriptor MultipleInitialStates = Create("MCP0013", "More than one initial state");
    public static readonly DiagnosticDescriptor ConflictingTransitions = Create("MCP0014", "Conflicting transitions");
    public static readonly DiagnosticDescriptor ActionParameterMismatch = Create("MCP0015", "Action used with different trigger parameters");
    public static readonly DiagnosticDescriptor InvalidPacketType = Create("MCP0016", "Invalid packet type");
    public static readonly DiagnosticDescriptor NamespaceClash = Create("MCP0017", "Two specs in one namespace");
    public static readonly DiagnosticDescriptor MissingDeclaration = Create("MCP0018", "Missing required declaration");
    public static readonly DiagnosticDescriptor UnknownRole = Create("MCP0019", "Unknown role");
    public static readonly DiagnosticDescriptor UnknownGuard = Create("MCP0020", "Unknown guard");
    public static readonly DiagnosticDescriptor ReservedName = Create("MCP0021", "Name reserved by the generated code");
    public static readonly DiagnosticDescriptor RoleCount = Create("MCP0022", "Not two roles");
    public static readonly DiagnosticDescriptor UnknownMachine = Create("MCP0023", "Unknown machine");
    public static readonly DiagnosticDescriptor WrongSendingRole = Create("MCP0024", "Packet sent by a role that may not send it");

    public static readonly DiagnosticDescriptor[] All =
    {
        SyntaxError, UnknownState, UnknownPacket, DuplicateTypeByte, NoInitialState, UnreachableState,
        TransitionFromFinalState, WrongSenderRole, UndeclaredBody, UnusedTrigger, DuplicateName,
        UnknownTrigger, MultipleInitialStates, ConflictingTransitions, ActionParameterMismatch, InvalidPacketType,
        NamespaceClash, MissingDeclaration, UnknownRole, UnknownGuard, ReservedName, RoleCount, UnknownMachine,
        WrongSendingRole,
    };

    public static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var location = Location.Create(
            info.Path,
            new TextSpan(info.Start, info.Length),
            new LinePositionSpan(
                new LinePosition(info.Line, info.Column),
                new LinePosition(info.EndLine, info.EndColumn)));
        return Diagnostic.Create(info.Descriptor, location, info.Message);
    }

    private static DiagnosticDescriptor Create(string id, string title) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
