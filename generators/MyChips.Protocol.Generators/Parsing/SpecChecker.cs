using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Diagnostics;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>
/// The meaning checks: names resolve, type bytes are unique, every machine starts somewhere and
/// reaches every state, final states stay final, packets arrive from the role that sends them.
/// </summary>
internal sealed partial class SpecChecker
{
    private readonly SpecSyntax _spec;
    private readonly DiagnosticSink _report;

    public SpecChecker(SpecSyntax spec, DiagnosticSink report)
    {
        _spec = spec;
        _report = report;
    }

    public void Check()
    {
        var where = _spec.Protocol?.Span ?? _spec.End;
        if (_spec.Protocol is null)
            _report.Add(SpecDiagnostics.MissingDeclaration, where, "The spec has no 'protocol <Name>' line.");
        if (_spec.Namespace is null)
            _report.Add(SpecDiagnostics.MissingDeclaration, where, "The spec has no 'namespace <Name>' line.");
        if (_spec.Framing is null)
            _report.Add(SpecDiagnostics.MissingDeclaration, where, "The spec has no 'framing' line.");
        if (_spec.Roles.Count == 0)
            _report.Add(SpecDiagnostics.MissingDeclaration, where, "The spec has no 'roles <role> ...' line.");
        else if (_spec.Roles.Count != 2)
            _report.Add(SpecDiagnostics.RoleCount, _spec.Roles[0].Span, $"The roles line names {_spec.Roles.Count} roles; a connection has two: first the one that connects, then the one that accepts.");
        if (_spec.Protocol is null || _spec.Framing is null)
            return; // the rest checks a protocol; without its header there is none to check

        CheckUnique(_spec.Roles, "role");
        CheckUnique(_spec.Bodies.Select(b => b.Name), "body");
        foreach (var body in _spec.Bodies)
            CheckUnique(body.Fields.Select((f, i) => new Named(f.Name, body.FieldSpans[i])), $"field of body '{body.Name.Name}'");
        CheckPackets();
        CheckUnique(_spec.Machines.Select(m => m.Name), "machine");
        foreach (var machine in _spec.Machines)
            CheckMachine(machine);
        CheckSends();
        CheckProperties();
    }

    private void CheckPackets()
    {
        CheckUnique(_spec.Packets.Select(p => p.Name), "packet");
        var types = new Dictionary<string, PacketSyntax>();
        var roles = new HashSet<string>(_spec.Roles.Select(r => r.Name));
        foreach (var packet in _spec.Packets)
        {
            var type = packet.TypeToken;
            if (_spec.Framing == FramingKind.LengthPrefixed && (type.Kind != TokenKind.Char || type.Text.Length != 1 || type.Text[0] < 0x21 || type.Text[0] > 0x7e))
                _report.Add(SpecDiagnostics.InvalidPacketType, type.Span, $"Packet '{packet.Name.Name}' needs a single printable ASCII type byte in single quotes, such as 'N'.");
            else if (_spec.Framing == FramingKind.Line && (type.Kind != TokenKind.String || !IsLineKeyword(type.Text, packet.Body?.Name == "empty")))
                _report.Add(SpecDiagnostics.InvalidPacketType, type.Span, $"Packet '{packet.Name.Name}' needs a command word in double quotes, such as \"chk\" (several words, such as \"(okay more)\", only with body empty).");
            else if (types.TryGetValue(type.Text, out var other))
                _report.Add(SpecDiagnostics.DuplicateTypeByte, type.Span, $"Packets '{other.Name.Name}' and '{packet.Name.Name}' both use the type '{type.Text}'.");
            else
                types[type.Text] = packet;

            foreach (var sender in packet.Senders)
            {
                if (sender.Name != "either" && !roles.Contains(sender.Name))
                    _report.Add(SpecDiagnostics.UnknownRole, sender.Span, $"Unknown role '{sender.Name}'; the roles are {string.Join(", ", roles)} (or 'either').");
            }
            if (packet.Body is { Name: not "empty" } body && !_spec.Bodies.Any(b => b.Name.Name == body.Name))
                _report.Add(SpecDiagnostics.UndeclaredBody, body.Span, $"Packet '{packet.Name.Name}' uses body '{body.Name}', which no 'body' line declares.");
        }
        foreach (var body in _spec.Bodies)
        {
            if (ReservedParameterNames.Contains(ModelBuilder.Camel(body.Name.Name)))
                _report.Add(SpecDiagnostics.ReservedName, body.Name.Span, $"The body name '{body.Name.Name}' is used by the generated code itself; choose another.");
        }
    }

    /// <summary>
    /// A line keyword: printable ASCII words; single inner spaces only for a packet with no body, which is then a
    /// whole line (a reply such as "(okay more)").
    /// </summary>
    private static bool IsLineKeyword(string text, bool bodyEmpty) =>
        text.Length > 0 && text[0] != ' ' && text[text.Length - 1] != ' ' && !text.Contains("  ")
        && text.All(c => c > ' ' && c <= '~' || (c == ' ' && bodyEmpty));

    private void CheckMachine(MachineSyntax machine)
    {
        var errorsBefore = _report.Items.Count;
        if (machine.Role is { } role && !_spec.Roles.Any(r => r.Name == role.Name))
            _report.Add(SpecDiagnostics.UnknownRole, role.Span, $"Unknown role '{role.Name}' for machine '{machine.Name.Name}'.");

        CheckUnique(machine.States.Select(s => s.Name), "state");
        CheckUnique(machine.Events.Select(e => e.Name).Concat(machine.Timeouts.Select(t => t.Name)), "event or timeout");
        CheckUnique(machine.Guards.Select(g => g.Name), "guard");
        foreach (var parameter in machine.Events.SelectMany(e => e.Parameters.Select(p => (Event: e, Parameter: p))))
        {
            if (ReservedParameterNames.Contains(parameter.Parameter.Name))
                _report.Add(SpecDiagnostics.ReservedName, parameter.Event.Name.Span, $"Event '{parameter.Event.Name.Name}' has a parameter named '{parameter.Parameter.Name}', a name the generated code uses itself; choose another.");
        }

        var initial = machine.States.Where(s => s.Initial).ToList();
        if (initial.Count == 0)
            _report.Add(SpecDiagnostics.NoInitialState, machine.Name.Span, $"Machine '{machine.Name.Name}' has no initial state; mark one 'state <Name> initial'.");
        foreach (var extra in initial.Skip(1))
            _report.Add(SpecDiagnostics.MultipleInitialStates, extra.Name.Span, $"Machine '{machine.Name.Name}' already starts in '{initial[0].Name.Name}'.");

        var states = machine.States.GroupBy(s => s.Name.Name).ToDictionary(g => g.Key, g => g.First());
        var used = new HashSet<string>();
        var explicitPairs = new HashSet<(string, string)>();
        foreach (var transition in machine.Transitions)
        {
            foreach (var from in transition.From)
                explicitPairs.Add((from.Name, TriggerKey(transition.Trigger)));
        }

        var expanded = new List<(string From, TransitionSyntax Transition)>();
        var seen = new HashSet<(string, string)>();
        foreach (var transition in machine.Transitions)
        {
            var triggerOk = CheckTrigger(machine, transition.Trigger);
            used.Add(TriggerKey(transition.Trigger));
            if (transition.To is { } to && !states.ContainsKey(to.Name))
                _report.Add(SpecDiagnostics.UnknownState, to.Span, $"Unknown state '{to.Name}' in machine '{machine.Name.Name}'.");
            if (transition.Guard is { } guard && !machine.Guards.Any(g => g.Name.Name == guard.Name))
                _report.Add(SpecDiagnostics.UnknownGuard, guard.Span, $"Unknown guard '{guard.Name}'; declare it with 'guard {guard.Name} \"description\"'.");

            var sources = new List<string>();
            if (transition.FromAny)
            {
                sources.AddRange(machine.States
                    .Where(s => !s.Final && !explicitPairs.Contains((s.Name.Name, TriggerKey(transition.Trigger))))
                    .Select(s => s.Name.Name));
            }
            foreach (var from in transition.From)
            {
                if (!states.TryGetValue(from.Name, out var state))
                {
                    _report.Add(SpecDiagnostics.UnknownState, from.Span, $"Unknown state '{from.Name}' in machine '{machine.Name.Name}'.");
                    continue;
                }
                if (state.Final)
                {
                    _report.Add(SpecDiagnostics.TransitionFromFinalState, from.Span, $"State '{from.Name}' is final; no transition may leave it.");
                    continue;
                }
                sources.Add(from.Name);
            }

            foreach (var from in sources.Distinct())
            {
                if (!seen.Add((from, TriggerKey(transition.Trigger))))
                {
                    _report.Add(SpecDiagnostics.ConflictingTransitions, transition.FromSpan, $"State '{from}' already has a transition on '{transition.Trigger.Name.Name}'.");
                    continue;
                }
                if (triggerOk)
                    expanded.Add((from, transition));
            }
        }

        foreach (var evt in machine.Events.Select(e => e.Name).Concat(machine.Timeouts.Select(t => t.Name)))
        {
            var kind = machine.Timeouts.Any(t => t.Name == evt) ? TriggerKind.Timeout : TriggerKind.Event;
            if (!used.Contains(kind + ":" + evt.Name))
                _report.Add(SpecDiagnostics.UnusedTrigger, evt.Span, $"'{evt.Name}' is declared but no transition uses it.");
        }

        // Reachability means something only once every transition resolved.
        if (initial.Count > 0 && _report.Items.Count == errorsBefore)
            CheckReachable(machine, initial[0].Name.Name, expanded);
        CheckActions(machine, expanded);
    }

    private bool CheckTrigger(MachineSyntax machine, TriggerRef trigger)
    {
        var name = trigger.Name;
        switch (trigger.Kind)
        {
            case TriggerKind.Receive:
                var packet = _spec.Packets.FirstOrDefault(p => p.Name.Name == name.Name);
                if (packet is null)
                {
                    _report.Add(SpecDiagnostics.UnknownPacket, name.Span, $"Unknown packet '{name.Name}'; the packets are {string.Join(", ", _spec.Packets.Select(p => p.Name.Name))}.");
                    return false;
                }
                var role = machine.Role?.Name;
                if (role is not null && !packet.Senders.Any(s => s.Name == "either") && packet.Senders.All(s => s.Name == role))
                {
                    _report.Add(SpecDiagnostics.WrongSenderRole, name.Span, $"Machine '{machine.Name.Name}' plays role '{role}', but packet '{name.Name}' is sent by {role}: it cannot receive it.");
                    return false;
                }
                return true;
            case TriggerKind.Timeout:
                if (!machine.Timeouts.Any(t => t.Name.Name == name.Name))
                {
                    _report.Add(SpecDiagnostics.UnknownTrigger, name.Span, $"Unknown timeout '{name.Name}'; declare it with 'timeout {name.Name} 10s'.");
                    return false;
                }
                return true;
            default:
                if (!machine.Events.Any(e => e.Name.Name == name.Name))
                {
                    _report.Add(SpecDiagnostics.UnknownTrigger, name.Span, $"Unknown event '{name.Name}'; declare it with 'event {name.Name}' or write 'receive <Packet>' or 'timeout <name>'.");
                    return false;
                }
                return true;
        }
    }

    private void CheckReachable(MachineSyntax machine, string initial, List<(string From, TransitionSyntax Transition)> transitions)
    {
        var reached = new HashSet<string> { initial };
        var queue = new Queue<string>(reached);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            foreach (var (from, transition) in transitions)
            {
                if (from == state && transition.To is { } to && reached.Add(to.Name))
                    queue.Enqueue(to.Name);
            }
        }
        foreach (var state in machine.States)
        {
            if (!reached.Contains(state.Name.Name))
                _report.Add(SpecDiagnostics.UnreachableState, state.Name.Span, $"State '{state.Name.Name}' cannot be reached from the initial state '{initial}'.");
        }
    }

    private void CheckActions(MachineSyntax machine, List<(string From, TransitionSyntax Transition)> transitions)
    {
        var shapes = new Dictionary<string, string>();
        foreach (var transition in machine.Transitions)
        {
            var shape = string.Join(",", ModelBuilder.TriggerParameters(_spec, machine, transition.Trigger).Select(p => p.Type.ToString()));
            foreach (var action in transition.Actions)
            {
                if (shapes.TryGetValue(action.Name, out var known) && known != shape)
                    _report.Add(SpecDiagnostics.ActionParameterMismatch, action.Span, $"Action '{action.Name}' is done on triggers with different parameters ({known}) and ({shape}); give each its own action.");
                else
                    shapes[action.Name] = shape;
            }
        }
    }

    /// <summary>Local names of the generated trigger methods, which parameters must not hide.</summary>
    private static readonly HashSet<string> ReservedParameterNames = new() { "from", "machine" };

    private static string TriggerKey(TriggerRef trigger) => TransitionExpansion.TriggerKey(trigger);

    private void CheckUnique(IEnumerable<Named> names, string what)
    {
        var seen = new HashSet<string>();
        foreach (var name in names)
        {
            if (!seen.Add(name.Name))
                _report.Add(SpecDiagnostics.DuplicateName, name.Span, $"The {what} '{name.Name}' is declared twice.");
        }
    }
}
