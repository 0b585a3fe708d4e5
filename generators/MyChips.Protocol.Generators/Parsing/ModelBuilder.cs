using System.Collections.Generic;
using System.IO;
using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>
/// The bind step: turns a spec that passed the checker into the location-free model the emitters read, with
/// every name resolved (the C# way), <c>any</c> expanded and every type a <see cref="TypeRef"/>.
/// </summary>
internal static class ModelBuilder
{
    public static ProtocolModel Build(string path, SpecSyntax spec)
    {
        var bodies = spec.Bodies.Select(b => new BodyModel(
            Pascal(b.Name.Name), b.Encoding, b.Fields.ToEquatableArray(), b.Description));

        var packets = spec.Packets.Select(p => new PacketModel(
            Pascal(p.Name.Name),
            p.TypeToken.Text,
            spec.Framing == FramingKind.LengthPrefixed ? p.TypeToken.Text[0] : 0,
            (p.Senders.Any(s => s.Name == "either") ? spec.Roles.Select(r => r.Name) : p.Senders.Select(s => s.Name))
                .Select(Pascal).Distinct().ToEquatableArray(),
            p.Stage,
            p.NoisePatterns.ToEquatableArray(),
            p.MessageIndex,
            p.Body is null || p.Body.Name == "empty" ? "" : Pascal(p.Body.Name),
            p.Description));

        var patterns = spec.Packets.SelectMany(p => p.NoisePatterns).Distinct();

        return new ProtocolModel(
            Pascal(spec.Protocol!.Name),
            Path.GetFileNameWithoutExtension(path),
            spec.Namespace!.Name,
            spec.Title.Length > 0 ? spec.Title : spec.Protocol.Name,
            spec.Framing!.Value,
            spec.MaxFrameLength,
            spec.Roles.Select(r => Pascal(r.Name)).ToEquatableArray(),
            patterns.ToEquatableArray(),
            bodies.ToEquatableArray(),
            packets.ToEquatableArray(),
            spec.Machines.Select(m => BuildMachine(spec, m, TransitionExpansion.Expand(m))).ToEquatableArray(),
            spec.Properties.Select(p => new PropertyModel(
                p.Name.Name,
                p.Description,
                Pascal(p.Machine.Name),
                p.Kind,
                p.States.Select(s => Pascal(s.Name)).ToEquatableArray(),
                p.Packets.Select(x => Pascal(x.Name)).ToEquatableArray(),
                p.Count)).ToEquatableArray());
    }

    private static MachineModel BuildMachine(SpecSyntax spec, MachineSyntax machine, List<(string From, TransitionSyntax Transition)> expanded)
    {
        var triggers = new List<TriggerModel>();
        foreach (var packet in spec.Packets)
        {
            var reference = machine.Transitions.Select(t => t.Trigger)
                .FirstOrDefault(t => t.Kind == TriggerKind.Receive && t.Name.Name == packet.Name.Name);
            if (reference is not null)
                triggers.Add(new TriggerModel(TriggerName(reference), TriggerKind.Receive, Pascal(packet.Name.Name), TriggerParameters(spec, machine, reference).ToEquatableArray(), packet.Description));
        }
        foreach (var evt in machine.Events)
            triggers.Add(new TriggerModel(Pascal(evt.Name.Name), TriggerKind.Event, evt.Name.Name, evt.Parameters.ToEquatableArray(), evt.Description));
        foreach (var timeout in machine.Timeouts)
            triggers.Add(new TriggerModel(Pascal(timeout.Name.Name) + "TimedOut", TriggerKind.Timeout, Pascal(timeout.Name.Name), EquatableArray<ParameterModel>.Empty, ""));

        var actions = new List<ActionModel>();
        foreach (var transition in machine.Transitions)
        {
            foreach (var action in transition.Actions)
            {
                if (!actions.Any(a => a.Name == Pascal(action.Name)))
                    actions.Add(new ActionModel(Pascal(action.Name), TriggerParameters(spec, machine, transition.Trigger).ToEquatableArray()));
            }
        }

        var transitions = expanded.Select(e => new TransitionModel(
            Pascal(e.From),
            TriggerName(e.Transition.Trigger),
            Pascal(e.Transition.To?.Name ?? e.From),
            e.Transition.To is null,
            e.Transition.Guard is null ? "" : Pascal(e.Transition.Guard.Name),
            e.Transition.Actions.Select(a => Pascal(a.Name)).ToEquatableArray(),
            e.Transition.Sends.Select(p => Pascal(p.Name)).ToEquatableArray()));

        return new MachineModel(
            Pascal(machine.Name.Name),
            Pascal(machine.Role!.Name),
            machine.States.Select(s => new StateModel(Pascal(s.Name.Name), s.Initial, s.Final, s.Description)).ToEquatableArray(),
            triggers.ToEquatableArray(),
            machine.Timeouts.Select(t => new TimeoutModel(Pascal(t.Name.Name), t.Milliseconds)).ToEquatableArray(),
            machine.Guards.Select(g => new GuardModel(Pascal(g.Name.Name), g.Description)).ToEquatableArray(),
            actions.ToEquatableArray(),
            transitions.ToEquatableArray());
    }

    public static string TriggerName(TriggerRef trigger) => trigger.Kind switch
    {
        TriggerKind.Receive => "Received" + Pascal(trigger.Name.Name),
        TriggerKind.Timeout => Pascal(trigger.Name.Name) + "TimedOut",
        _ => Pascal(trigger.Name.Name),
    };

    /// <summary>A received packet carries its decoded body; an event carries its declared parameters.</summary>
    public static IEnumerable<ParameterModel> TriggerParameters(SpecSyntax spec, MachineSyntax machine, TriggerRef trigger)
    {
        switch (trigger.Kind)
        {
            case TriggerKind.Receive:
                var body = spec.Packets.FirstOrDefault(p => p.Name.Name == trigger.Name.Name)?.Body?.Name;
                var declared = spec.Bodies.FirstOrDefault(b => b.Name.Name == body);
                if (declared is not null && declared.Encoding != BodyEncoding.Empty)
                    return new[] { new ParameterModel(Camel(declared.Name.Name), TypeRef.Body(Pascal(declared.Name.Name))) };
                return Enumerable.Empty<ParameterModel>();
            case TriggerKind.Event:
                return machine.Events.FirstOrDefault(e => e.Name.Name == trigger.Name.Name)?.Parameters
                    ?? Enumerable.Empty<ParameterModel>();
            default:
                return Enumerable.Empty<ParameterModel>();
        }
    }

    public static string Pascal(string name) =>
        name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    public static string Camel(string name) =>
        name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
