using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Diagnostics;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>The checks of what only the model checker reads: <c>send</c> clauses and <c>property</c> lines.</summary>
internal sealed partial class SpecChecker
{
    private void CheckSends()
    {
        foreach (var machine in _spec.Machines)
        {
            foreach (var sent in machine.Transitions.SelectMany(t => t.Sends))
            {
                var packet = FindPacket(sent);
                if (packet is null)
                    continue;
                var role = machine.Role?.Name;
                if (role is not null && !packet.Senders.Any(s => s.Name == "either" || s.Name == role))
                    _report.Add(SpecDiagnostics.WrongSendingRole, sent.Span, $"Machine '{machine.Name.Name}' plays role '{role}', which may not send packet '{sent.Name}'.");
            }
        }
    }

    private void CheckProperties()
    {
        CheckUnique(_spec.Properties.Select(p => p.Name), "property");
        foreach (var property in _spec.Properties)
        {
            var machine = _spec.Machines.FirstOrDefault(m => m.Name.Name == property.Machine.Name);
            if (machine is null)
            {
                _report.Add(SpecDiagnostics.UnknownMachine, property.Machine.Span,
                    $"Unknown machine '{property.Machine.Name}'; the machines are {string.Join(", ", _spec.Machines.Select(m => m.Name.Name))}.");
                continue;
            }
            foreach (var state in property.States.Where(s => !machine.States.Any(x => x.Name.Name == s.Name)))
                _report.Add(SpecDiagnostics.UnknownState, state.Span, $"Unknown state '{state.Name}' in machine '{machine.Name.Name}'.");
            foreach (var packet in property.Packets)
                FindPacket(packet);
        }
    }

    private PacketSyntax? FindPacket(Named name)
    {
        var packet = _spec.Packets.FirstOrDefault(p => p.Name.Name == name.Name);
        if (packet is null)
            _report.Add(SpecDiagnostics.UnknownPacket, name.Span, $"Unknown packet '{name.Name}'; the packets are {string.Join(", ", _spec.Packets.Select(p => p.Name.Name))}.");
        return packet;
    }
}
