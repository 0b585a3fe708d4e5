using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// The spec's properties as monitor variables and checks woven into the machine processes: what a machine
/// received so far, how often, and in which order, checked where it takes a packet, enters a state, or stops.
/// A failed check prints the property's name and description, then fails an assertion.
/// </summary>
internal sealed class PropertyMonitors
{
    private readonly ProtocolModel _protocol;

    public PropertyMonitors(ProtocolModel protocol) => _protocol = protocol;

    private IEnumerable<PropertyModel> Of(MachineModel machine, PropertyKind kind) =>
        _protocol.Properties.Where(p => p.Machine == machine.Name && p.Kind == kind);

    private static string Got(string machine, string packet) => $"{machine}_got_{packet}";

    private static string Count(string machine, string packet) => $"{machine}_count_{packet}";

    private static string Last(PropertyModel property) => $"{property.Machine}_last_{property.Name}";

    public void EmitDeclarations(PromelaWriter w)
    {
        var flags = _protocol.Properties
            .Where(p => p.Kind is PropertyKind.ReachesAfter)
            .SelectMany(p => p.Packets.Select(x => Got(p.Machine, x)))
            .Concat(_protocol.Properties.Where(p => p.Kind == PropertyKind.Before).Select(p => Got(p.Machine, p.Packets[0])))
            .Distinct();
        foreach (var flag in flags)
            w.Line($"bool {flag} = false;");
        foreach (var property in _protocol.Properties.Where(p => p.Kind == PropertyKind.AtMost))
            w.Line($"byte {Count(property.Machine, property.Packets[0])} = 0;");
        foreach (var property in _protocol.Properties.Where(p => p.Kind == PropertyKind.Alternates))
            w.Line($"byte {Last(property)} = 0;   /* 1: {property.Packets[0]} came last, 2: {property.Packets[1]} */");
    }

    /// <summary>What runs when the machine takes a packet (before it enters the transition's target).</summary>
    public IEnumerable<string> OnReceive(MachineModel machine, string packet)
    {
        foreach (var property in Of(machine, PropertyKind.ReachesAfter).Where(p => p.Packets.Contains(packet)))
            yield return $"{Got(machine.Name, packet)} = true;";
        foreach (var property in Of(machine, PropertyKind.Before))
        {
            if (property.Packets[0] == packet)
                yield return $"{Got(machine.Name, packet)} = true;";
            else if (property.Packets.Skip(1).Contains(packet))
                yield return Check(Got(machine.Name, property.Packets[0]), property);
        }
        foreach (var property in Of(machine, PropertyKind.AtMost).Where(p => p.Packets[0] == packet))
        {
            yield return $"{Count(machine.Name, packet)}++;";
            yield return Check($"{Count(machine.Name, packet)} <= {property.Count}", property);
        }
        foreach (var property in Of(machine, PropertyKind.Alternates))
        {
            var index = property.Packets[0] == packet ? 1 : property.Packets[1] == packet ? 2 : 0;
            if (index == 0)
                continue;
            yield return Check($"{Last(property)} != {index}", property);
            yield return $"{Last(property)} = {index};";
        }
    }

    /// <summary>What runs when a transition enters a state from another one.</summary>
    public IEnumerable<string> OnEnter(MachineModel machine, string state) =>
        Of(machine, PropertyKind.ReachesAfter)
            .Where(p => p.States[0] == state)
            .Select(p => Check(string.Join(" || ", p.Packets.Select(x => Got(machine.Name, x))), p));

    /// <summary>What runs when the machine stops: in a final state, or when the whole system can move no further.</summary>
    public IEnumerable<string> OnStop(MachineModel machine) =>
        Of(machine, PropertyKind.EndsIn)
            .Select(p => Check(string.Join(" || ", p.States.Select(s => $"{machine.Name}_state == {machine.Name}_{s}")), p));

    public bool ChecksStop(MachineModel machine) => Of(machine, PropertyKind.EndsIn).Any();

    private static string Check(string condition, PropertyModel property) =>
        $"if :: !({condition}) -> printf(\"PROPERTY {property.Name} VIOLATED: {Escape(property.Description)}\\n\"); assert(false) :: else -> skip fi;";

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "'").Replace("%", "%%");
}
