using System.Collections.Generic;
using System.Linq;
using System.Text;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// A SPIN model of a spec: each machine a process over the spec's transitions, the two roles joined by a network
/// process per direction that can lose, duplicate, reorder and replay packets (each behind a <c>#define</c>), a
/// role without a machine played by a free environment, events optional and bounded, timeouts free to fire in any
/// state that arms them, and the spec's properties as assertions that print their name when they fail.
/// </summary>
internal static class PromelaEmitter
{
    public static string Emit(ProtocolModel protocol)
    {
        var w = new PromelaWriter();
        var roles = (Initiator: protocol.Roles[0], Responder: protocol.Roles[1]);
        var monitors = new PropertyMonitors(protocol);
        EmitHeader(w, protocol, roles);
        foreach (var machine in protocol.Machines)
            EmitStates(w, machine);
        monitors.EmitDeclarations(w);
        w.Line();
        EmitNetwork(w, roles.Responder);
        EmitNetwork(w, roles.Initiator);
        foreach (var (role, other) in new[] { (roles.Initiator, roles.Responder), (roles.Responder, roles.Initiator) })
        {
            var machine = protocol.Machines.FirstOrDefault(m => m.Role == role);
            if (machine is null)
                EmitEnvironment(w, protocol, role, other);
            else
                MachineProcess.Emit(w, protocol, machine, other, monitors);
        }
        EmitInit(w, protocol, roles);
        return w.ToString();
    }

    private static void EmitHeader(PromelaWriter w, ProtocolModel protocol, (string Initiator, string Responder) roles)
    {
        w.Line($"/* {protocol.Title}: a SPIN model generated from {protocol.FileName}.protocol; edit the spec, not this file.");
        w.Line("   Switches (spin -D...): LOSS, DUPLICATE, REORDER and REPLAY make the network hostile; CAPACITY, BUDGET");
        w.Line("   (packets an attacker or a free environment sends on its own) and EVENTS (events per machine) bound the run. */");
        w.Line();
        w.Line("mtype = { " + string.Join(", ", protocol.Packets.Select(p => p.Name)) + " };");
        w.Line();
        foreach (var (name, value) in new[] { ("CAPACITY", 8), ("BUDGET", 2), ("EVENTS", 2) })
        {
            w.Line($"#ifndef {name}");
            w.Line($"#define {name} {value}");
            w.Line("#endif");
        }
        w.Line();
        foreach (var role in new[] { roles.Initiator, roles.Responder })
        {
            w.Line($"chan to_{role} = [CAPACITY] of {{ mtype }};   /* sent towards the {role} */");
            w.Line($"chan at_{role} = [CAPACITY] of {{ mtype }};   /* arrived at the {role} */");
        }
        w.Line();
    }

    private static void EmitStates(PromelaWriter w, MachineModel machine)
    {
        for (var i = 0; i < machine.States.Count; i++)
            w.Line($"#define {machine.Name}_{machine.States[i].Name} {i}");
        w.Line($"#define {machine.Name}_Refused {machine.States.Count}   /* closed by the runtime: a packet its state does not accept */");
        w.Line($"byte {machine.Name}_state = {machine.Name}_{machine.States.First(s => s.Initial).Name};");
        w.Line();
    }

    /// <summary>
    /// The channel from one role's sender to the other's receiver, with the hostile behaviours on switches. It never
    /// blocks: a packet for a receiver whose buffer is full (one that stopped reading) is dropped.
    /// </summary>
    private static void EmitNetwork(PromelaWriter w, string towards)
    {
        var label = $"network to {towards}";
        w.Open($"proctype Network_to_{towards}()");
        w.Line("mtype m, kept, held;");
        w.Line("bool keeping = false, holding = false;");
        w.Line("byte replays = 0;");
        w.Label("end_network:");
        w.Line("do");
        w.Line($":: to_{towards}?m ->");
        w.Line("   if");
        w.Line($"   :: nfull(at_{towards}) -> at_{towards}!m; printf(\"{label}: delivers %e\\n\", m)");
        w.Line($"   :: full(at_{towards}) -> printf(\"{label}: drops %e, the receiver's buffer is full\\n\", m)");
        w.Raw("#ifdef LOSS");
        w.Line($"   :: printf(\"{label}: loses %e\\n\", m)");
        w.Raw("#endif");
        w.Raw("#ifdef DUPLICATE");
        w.Line($"   :: len(at_{towards}) < CAPACITY - 1 -> at_{towards}!m; at_{towards}!m; printf(\"{label}: delivers %e twice\\n\", m)");
        w.Raw("#endif");
        w.Raw("#ifdef REORDER");
        w.Line($"   :: !holding -> held = m; holding = true; printf(\"{label}: holds %e back\\n\", m)");
        w.Raw("#endif");
        w.Line("   fi");
        w.Raw("#ifdef REPLAY");
        w.Line("   ;");
        w.Line("   if");
        w.Line("   :: !keeping -> kept = m; keeping = true   /* recorded by the attacker */");
        w.Line("   :: skip");
        w.Line("   fi");
        w.Raw("#endif");
        w.Line("   ;");
        w.Line("   m = 0   /* forgotten once handled: states then differ only in what matters */");
        w.Raw("#ifdef REORDER");
        w.Line($":: holding && nfull(at_{towards}) -> at_{towards}!held; holding = false; printf(\"{label}: delivers %e late\\n\", held)");
        w.Raw("#endif");
        w.Raw("#ifdef REPLAY");
        w.Line($":: keeping && replays < BUDGET && nfull(at_{towards}) -> at_{towards}!kept; replays++; printf(\"attacker to {towards}: replays %e\\n\", kept)");
        w.Raw("#endif");
        w.Line("od");
        w.Close();
        w.Line();
    }

    /// <summary>A role the spec gives no machine: it may send any packet its role may send (BUDGET of them) and takes whatever comes.</summary>
    private static void EmitEnvironment(PromelaWriter w, ProtocolModel protocol, string role, string other)
    {
        var packets = protocol.Packets.Where(p => p.Senders.Contains(role)).ToList();
        w.Open($"proctype Environment_{role}()");
        w.Line("mtype m;");
        w.Line("byte sent = 0;");
        w.Label("end_environment:");
        w.Line("do");
        if (packets.Count > 0)
        {
            w.Line(":: sent < BUDGET ->");
            w.Line("   sent++;");
            w.Line("   if");
            foreach (var packet in packets)
                w.Line($"   :: to_{other}!{packet.Name} -> printf(\"{role} (no machine): sends {packet.Name}\\n\")");
            w.Line("   fi");
        }
        w.Line($":: at_{role}?m -> printf(\"{role} (no machine): takes %e\\n\", m)");
        w.Line("od");
        w.Close();
        w.Line();
    }

    private static void EmitInit(PromelaWriter w, ProtocolModel protocol, (string Initiator, string Responder) roles)
    {
        w.Open("init");
        w.Line("atomic {");
        foreach (var role in new[] { roles.Initiator, roles.Responder })
        {
            var machine = protocol.Machines.FirstOrDefault(m => m.Role == role);
            w.Line(machine is null ? $"    run Environment_{role}();" : $"    run {machine.Name}();");
        }
        w.Line($"    run Network_to_{roles.Responder}();");
        w.Line($"    run Network_to_{roles.Initiator}()");
        w.Line("}");
        w.Close();
    }
}

/// <summary>Promela text with two-space indentation; preprocessor lines and labels start in column one.</summary>
internal sealed class PromelaWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 2).Append(line);
        _text.Append('\n');
    }

    public void Raw(string line) => _text.Append(line).Append('\n');

    public void Label(string label) => _text.Append(label).Append('\n');

    public void Open(string line)
    {
        Line(line + " {");
        _indent++;
    }

    public void Close()
    {
        _indent--;
        Line("}");
    }

    public override string ToString() => _text.ToString();
}
