using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// One machine as a Promela process. Each step is one transition of the spec: an event of the host (optional, at
/// most EVENTS per run, and the host may fall quiet at any point; <c>close</c> and <c>failed</c> are left to the
/// runtime's own closing), a timeout (free to fire
/// in any state that arms it), or a packet taken from the network. A packet the
/// current state does not accept, or one its guard refuses (guards are opaque: either answer is possible), closes
/// the connection as the runtime does: the machine moves where its <c>failed</c> event leads, else to Refused.
/// </summary>
internal static class MachineProcess
{
    public static void Emit(PromelaWriter w, ProtocolModel protocol, MachineModel machine, string other, PropertyMonitors monitors)
    {
        var m = machine.Name;
        var stopped = string.Join(" || ", machine.States.Where(s => s.Final).Select(s => s.Name).Append("Refused").Select(s => $"{m}_state == {m}_{s}"));
        var stopChecks = string.Concat(monitors.OnStop(machine).Select(c => c + " "));

        w.Open($"proctype {m}()");
        w.Line("mtype m;");
        w.Line("byte events = 0;");
        w.Line("bool quiet = false;   /* the host fires no more events */");
        w.Label($"end_{m}:");
        w.Line("do");
        w.Line($":: {stopped} -> {stopChecks}break");
        foreach (var t in machine.Transitions)
        {
            var trigger = machine.Triggers.First(x => x.Name == t.Trigger);
            if (trigger.Kind == TriggerKind.Event && IsClosingEvent(trigger))
                continue; // the runtime fires these only when it ends the connection: see the refusal path below
            if (trigger.Kind == TriggerKind.Event)
                w.Line($":: {m}_state == {m}_{t.From} && !quiet && events < EVENTS -> events++; {Body(protocol, machine, t, $"{trigger.Source}", other, monitors)}");
            else if (trigger.Kind == TriggerKind.Timeout)
                w.Line($":: {m}_state == {m}_{t.From} -> {Body(protocol, machine, t, $"timeout {Camel(trigger.Source)}", other, monitors)}");
        }
        if (machine.Triggers.Any(x => x.Kind == TriggerKind.Event && !IsClosingEvent(x)))
            w.Line($":: !quiet -> quiet = true; printf(\"{m}: its host fires no more events\\n\")");
        EmitReceive(w, protocol, machine, other, monitors, stopped);
        if (monitors.ChecksStop(machine))
            w.Line($":: timeout -> {stopChecks}break   /* the whole system can move no further */");
        w.Line("od");
        w.Close();
        w.Line();
    }

    /// <param name="stopped">The condition that the machine stopped (a final state, or Refused): it takes nothing then.</param>
    private static void EmitReceive(PromelaWriter w, ProtocolModel protocol, MachineModel machine, string other, PropertyMonitors monitors, string stopped)
    {
        var m = machine.Name;
        var role = machine.Role;
        w.Line($":: !({stopped}) && nempty(at_{role}) ->");
        w.Line($"   at_{role}?m;");
        w.Line("   if");
        foreach (var state in machine.States.Where(s => !s.Final))
        {
            var receptions = machine.Transitions
                .Where(t => t.From == state.Name)
                .Select(t => (Transition: t, Trigger: machine.Triggers.First(x => x.Name == t.Trigger)))
                .Where(x => x.Trigger.Kind == TriggerKind.Receive)
                .ToList();
            w.Line($"   :: {m}_state == {m}_{state.Name} ->");
            w.Line("      if");
            foreach (var (t, trigger) in receptions)
            {
                w.Line($"      :: m == {trigger.Source} -> {Body(protocol, machine, t, $"receive {trigger.Source}", other, monitors)}");
                if (t.Guard.Length > 0)
                    w.Line($"      :: m == {trigger.Source} -> printf(\"{m}: {state.Name}: guard {t.Guard} refuses {trigger.Source}: the connection closes\\n\"); {m}_state = {m}_{ClosesInto(machine, state.Name)}");
            }
            w.Line($"      :: else -> printf(\"{m}: {state.Name} does not accept %e: the connection closes\\n\", m); {m}_state = {m}_{ClosesInto(machine, state.Name)}");
            w.Line("      fi");
        }
        w.Line("   fi;");
        w.Line("   m = 0   /* forgotten once handled: states then differ only in what matters */");
    }

    /// <summary>A transition's effect: a trace line, the property monitors, the packets it sends, the new state.</summary>
    private static string Body(ProtocolModel protocol, MachineModel machine, TransitionModel t, string trigger, string other, PropertyMonitors monitors)
    {
        var m = machine.Name;
        var steps = new List<string> { $"printf(\"{m}: {t.From} --{trigger}--> {t.To}\\n\");" };
        var received = machine.Triggers.First(x => x.Name == t.Trigger);
        if (received.Kind == TriggerKind.Receive)
            steps.AddRange(monitors.OnReceive(machine, received.Source));
        foreach (var packet in t.Sends)
            steps.Add($"to_{other}!{packet}; printf(\"{m}: sends {packet}\\n\");");
        if (!t.Stays)
            steps.AddRange(monitors.OnEnter(machine, t.To));
        steps.Add($"{m}_state = {m}_{t.To}");
        return string.Join(" ", steps);
    }

    /// <summary>Where the runtime's close takes the machine from a state: its <c>failed</c> (else <c>close</c>) event's target, else Refused.</summary>
    private static string ClosesInto(MachineModel machine, string state)
    {
        foreach (var name in new[] { "failed", "close" })
        {
            var trigger = machine.Triggers.FirstOrDefault(x => x.Kind == TriggerKind.Event && x.Source == name);
            var t = trigger is null ? null : machine.Transitions.FirstOrDefault(x => x.Trigger == trigger.Name && x.From == state);
            if (t is not null)
                return t.To;
        }
        return "Refused";
    }

    /// <summary><c>close</c> and <c>failed</c> are the runtime's ways to end a connection, not the host's choices: never spontaneous.</summary>
    private static bool IsClosingEvent(TriggerModel trigger) => trigger.Source is "close" or "failed";

    private static string Camel(string pascal) => pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
}
