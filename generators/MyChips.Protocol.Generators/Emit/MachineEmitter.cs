using System.Collections.Generic;
using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// Emits, per machine: its state, trigger and timeout enums, the actions interface the runtime
/// implements, a static class that configures the Stateless machine and answers cheap questions
/// with switches, and the domain class with one intention-named method per trigger.
/// </summary>
internal static class MachineEmitter
{
    public const string Outcome = "global::MyChips.Protocol.Connections.ActionOutcome";

    public static string Emit(ProtocolModel protocol, MachineModel machine)
    {
        var w = new CodeWriter();
        w.Header(protocol.Namespace);
        var names = new MachineNames(machine.Name);
        EmitEnums(w, machine, names);
        w.Line();
        EmitActionsInterface(w, protocol, machine, names);
        w.Line();
        EmitStateMachine(w, protocol, machine, names);
        w.Line();
        EmitConnection(w, protocol, machine, names);
        return w.Finish();
    }

    private static void EmitEnums(CodeWriter w, MachineModel machine, MachineNames n)
    {
        w.Summary($"The states of the {machine.Name} machine (role {machine.Role}).");
        w.Generated().Open($"public enum {n.State}");
        foreach (var state in machine.States)
        {
            var notes = new List<string>();
            if (state.Initial)
                notes.Add("Initial state.");
            if (state.Final)
                notes.Add("Final state.");
            if (state.Description.Length > 0)
                notes.Add(state.Description);
            w.Summary(string.Join(" ", notes));
            w.Line(state.Name + ",");
        }
        w.Close();
        w.Line();

        w.Summary($"What makes the {machine.Name} machine move: received packets, events and expired timeouts.");
        w.Generated().Open($"public enum {n.Trigger}");
        foreach (var trigger in machine.Triggers)
        {
            w.Summary(TriggerSummary(trigger));
            w.Line(trigger.Name + ",");
        }
        w.Close();
        w.Line();

        w.Summary($"A transition the {machine.Name} machine took.");
        w.Generated().Line($"public readonly record struct {n.Transition}({n.State} From, {n.State} To, {n.Trigger} Trigger);");

        if (machine.Timeouts.Count > 0)
        {
            w.Line();
            w.Summary($"The timeouts of the {machine.Name} machine; the runtime schedules them and reports their expiry.");
            w.Generated().Open($"public enum {n.Timeout}");
            foreach (var timeout in machine.Timeouts)
                w.Line(timeout.Name + ",");
            w.Close();
        }
    }

    private static string TriggerSummary(TriggerModel trigger) => trigger.Kind switch
    {
        TriggerKind.Receive => $"A {trigger.Source} packet was received." + (trigger.Description.Length > 0 ? " " + trigger.Description : ""),
        TriggerKind.Timeout => $"The {trigger.Source} timeout expired.",
        _ => trigger.Description.Length > 0 ? trigger.Description : $"The {trigger.Source} event.",
    };

    private static void EmitActionsInterface(CodeWriter w, ProtocolModel protocol, MachineModel machine, MachineNames n)
    {
        w.Line("/// <summary>");
        w.Line($"/// What the {machine.Name} machine asks of its host: the spec's 'do' actions, run in order after the");
        w.Line("/// state has changed, each returning its outcome (go on, or close with a reason: the next ones then do");
        w.Line("/// not run), and its 'when' guards, which must not change anything.");
        w.Line("/// </summary>");
        w.Generated().Open($"public interface {n.Actions}");
        var first = true;
        foreach (var action in machine.Actions)
        {
            if (!first)
                w.Line();
            first = false;
            var uses = machine.Transitions.Where(t => t.Actions.Contains(action.Name))
                .Select(t => $"{t.From} on {t.Trigger} to {t.To}");
            w.Summary("Done on: " + string.Join("; ", uses) + ".");
            w.Line($"global::System.Threading.Tasks.ValueTask<{Outcome}> {action.Name}Async({Parameters(protocol, action.Parameters)});");
        }
        foreach (var guard in machine.Guards)
        {
            if (!first)
                w.Line();
            first = false;
            w.Summary("Guard: " + guard.Description);
            w.Line($"bool {guard.Name}();");
        }
        w.Close();
    }

    private static string Parameters(ProtocolModel protocol, EquatableArray<ParameterModel> parameters) =>
        string.Join(", ", parameters.Select(p => $"{TypeNames.Parameter(protocol, p.Type)} {CodeWriter.Identifier(p.Name)}"));

    private static string Arguments(EquatableArray<ParameterModel> parameters) =>
        string.Join(", ", parameters.Select(p => CodeWriter.Identifier(p.Name)));

    private static bool Typed(TriggerModel trigger) => trigger.Parameters.Count is > 0 and <= 3;

    private static void EmitStateMachine(CodeWriter w, ProtocolModel protocol, MachineModel machine, MachineNames n)
    {
        var initial = machine.States.First(s => s.Initial).Name;
        w.Summary($"The {machine.Name} machine of the spec as a Stateless machine, and cheap answers about it that need no machine.");
        w.Generated().Open($"public static partial class {n.Machine}");
        w.Line($"public const {n.State} InitialState = {n.State}.{initial};");
        foreach (var trigger in machine.Triggers.Where(Typed))
        {
            var types = string.Join(", ", trigger.Parameters.Select(p => TypeNames.Parameter(protocol, p.Type)));
            w.Line();
            w.SummaryXml($"The typed form of <see cref=\"{n.Trigger}.{trigger.Name}\"/>; shared, as it holds no state.");
            w.Line($"public static readonly {n.Stateless}.TriggerWithParameters<{types}> {trigger.Name} = new({n.Trigger}.{trigger.Name});");
        }
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// Builds the whole machine over state kept elsewhere (external storage), so that the machine");
        w.Line("/// can be built when needed and dropped after, and a connection keeps only its state.");
        w.Line("/// </summary>");
        w.Open($"public static {n.Stateless} Create(global::System.Func<{n.State}> readState, global::System.Action<{n.State}> writeState, {n.Actions}? actions)");
        w.Line($"var machine = new {n.Stateless}(readState, writeState, global::Stateless.FiringMode.Immediate);");
        foreach (var state in machine.States)
            w.Line($"Configure(machine, {n.State}.{state.Name}, actions);");
        w.Line("return machine;");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Builds the machine with only one state configured: all that firing a trigger from that state");
        w.Line("/// needs (the spec has no entry or exit actions), at a fraction of the cost of the whole machine.");
        w.Line("/// </summary>");
        w.Open($"public static {n.Stateless} CreateFor({n.State} state, global::System.Func<{n.State}> readState, global::System.Action<{n.State}> writeState, {n.Actions}? actions)");
        w.Line($"var machine = new {n.Stateless}(readState, writeState, global::Stateless.FiringMode.Immediate);");
        w.Line("Configure(machine, state, actions);");
        w.Line("return machine;");
        w.Close();
        w.Line();
        w.Open($"private static void Configure({n.Stateless} machine, {n.State} state, {n.Actions}? actions)");
        w.Open("switch (state)");
        foreach (var state in machine.States)
        {
            var transitions = machine.Transitions.Where(t => t.From == state.Name).ToList();
            w.Line($"case {n.State}.{state.Name}:");
            if (transitions.Count == 0)
            {
                w.Line($"    machine.Configure({n.State}.{state.Name});");
                w.Line("    break;");
                continue;
            }
            w.Line($"    machine.Configure({n.State}.{state.Name})");
            for (var i = 0; i < transitions.Count; i++)
            {
                var t = transitions[i];
                var guard = machine.Guards.FirstOrDefault(g => g.Name == t.Guard);
                var trigger = $"{n.Trigger}.{t.Trigger}";
                var guardArgs = guard is null ? "" : $", () => actions?.{guard.Name}() == true, {CodeWriter.Literal(guard.Description)}";
                var call = (t.Stays, guard is null) switch
                {
                    (false, true) => $".Permit({trigger}, {n.State}.{t.To})",
                    (false, false) => $".PermitIf({trigger}, {n.State}.{t.To}{guardArgs})",
                    (true, true) => $".PermitReentry({trigger})",
                    _ => $".PermitReentryIf({trigger}{guardArgs})",
                };
                w.Line("        " + call + (i == transitions.Count - 1 ? ";" : ""));
            }
            w.Line("    break;");
        }
        w.Close();
        w.Close();
        w.Line();

        var finals = machine.States.Where(s => s.Final).Select(s => $"{n.State}.{s.Name}").ToList();
        w.Summary("Whether a state is final: no trigger leaves it.");
        w.Line($"public static bool IsFinal({n.State} state) => {(finals.Count == 0 ? "false" : "state is " + string.Join(" or ", finals))};");
        w.Line();

        w.Summary("Whether the spec has a transition on this trigger out of this state, guards aside.");
        EmitPairSwitch(w, $"public static bool IsDefined({n.State} state, {n.Trigger} trigger) => (state, trigger) switch",
            machine.Transitions.Select(t => $"({n.State}.{t.From}, {n.Trigger}.{t.Trigger})"));
        w.Line();

        w.Summary("Whether a packet may be received in this state: the fast path for traffic that must not fire the machine.");
        EmitPairSwitch(w, $"public static bool Accepts({n.State} state, PacketType type) => (state, type) switch",
            SourcesByState(machine, TriggerKind.Receive).Select(x => $"({n.State}.{x.From}, PacketType.{x.Source})"));

        if (machine.Timeouts.Count > 0)
        {
            w.Line();
            w.Summary("How long a timeout runs.");
            w.Open($"public static global::System.TimeSpan GetDuration({n.Timeout} timeout) => timeout switch");
            foreach (var timeout in machine.Timeouts)
                w.Line($"{n.Timeout}.{timeout.Name} => global::System.TimeSpan.FromMilliseconds({timeout.Milliseconds}),");
            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(timeout), timeout, null),");
            w.Close(";");
            w.Line();
            w.Summary("Whether a timeout runs in this state: the spec has a transition on its expiry out of the state.");
            EmitPairSwitch(w, $"public static bool IsArmed({n.State} state, {n.Timeout} timeout) => (state, timeout) switch",
                SourcesByState(machine, TriggerKind.Timeout).Select(x => $"({n.State}.{x.From}, {n.Timeout}.{x.Source})"));
        }
        w.Line();
        w.Summary("The machine as a Mermaid state diagram, drawn by Stateless.");
        w.Line($"public static string ToMermaid() => global::Stateless.Graph.MermaidGraph.Format(Create(static () => InitialState, static _ => {{ }}, null).GetInfo());");
        w.Line();
        w.Summary("The machine as a Graphviz DOT graph, drawn by Stateless.");
        w.Line($"public static string ToDotGraph() => global::Stateless.Graph.UmlDotGraph.Format(Create(static () => InitialState, static _ => {{ }}, null).GetInfo());");
        w.Close();
    }

    private static void EmitConnection(CodeWriter w, ProtocolModel protocol, MachineModel machine, MachineNames n)
    {
        w.Line("/// <summary>");
        w.Line($"/// The life of one connection in role {machine.Role}: a state field, the host's actions, and one method per");
        w.Line("/// trigger. A method returns its actions' outcome; NotAllowed, changing nothing, when the spec allows no such");
        w.Line("/// transition from the current state or its guard says no; it never throws for that. A Stateless machine configured for");
        w.Line("/// the current state is built for each lifecycle step and dropped after, so an idle connection holds");
        w.Line("/// only this small object; traffic checks <see cref=\"Accepts\"/> and fires nothing.");
        w.Line("/// Not thread-safe: call it from one logical flow at a time.");
        w.Line("/// </summary>");
        w.Generated().Open($"public sealed partial class {n.Connection}");
        w.Line($"private readonly {n.Actions} _actions;");
        w.Line($"private {n.State} _state;");
        w.Line();
        w.Line($"public {n.Connection}({n.Actions} actions)");
        w.Line($"    : this(actions, {n.Machine}.InitialState)");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.Summary("Resumes a connection in a given state, for example one kept in external storage.");
        w.Open($"public {n.Connection}({n.Actions} actions, {n.State} state)");
        w.Line("_actions = actions ?? throw new global::System.ArgumentNullException(nameof(actions));");
        w.Line("_state = state;");
        w.Close();
        w.Line();
        w.Summary("Raised after every transition that changed the state, before the transition's actions run.");
        w.Line($"public event global::System.Action<{n.Transition}>? StateChanged;");
        w.Line();
        w.Line($"public {n.State} State => _state;");
        w.Line();
        w.Line($"public bool IsFinal => {n.Machine}.IsFinal(_state);");
        w.Line();
        w.Summary("Whether a packet may be received now, without firing the machine: the fast path for traffic.");
        w.Line($"public bool Accepts(PacketType type) => {n.Machine}.Accepts(_state, type);");
        w.Line();
        w.Summary("Whether the spec has a transition on this trigger out of the current state, guards aside.");
        w.Line($"public bool CanFire({n.Trigger} trigger) => {n.Machine}.IsDefined(_state, trigger);");
        foreach (var timeout in machine.Timeouts)
        {
            w.Line();
            w.Summary($"The {timeout.Name} timeout: {timeout.Milliseconds} ms.");
            w.Line($"public static global::System.TimeSpan {timeout.Name}Timeout => {n.Machine}.GetDuration({n.Timeout}.{timeout.Name});");
        }
        if (machine.Timeouts.Count > 0)
        {
            w.Line();
            w.Summary("Whether a timeout runs in the current state; the runtime starts it on entering such a state and stops it on leaving to one where it does not run.");
            w.Line($"public bool IsArmed({n.Timeout} timeout) => {n.Machine}.IsArmed(_state, timeout);");
        }

        foreach (var trigger in machine.Triggers)
        {
            w.Line();
            EmitTriggerMethod(w, protocol, machine, trigger, n);
        }

        w.Line();
        w.Line($"public string ToMermaid() => global::Stateless.Graph.MermaidGraph.Format(CreateMachine().GetInfo());");
        w.Line();
        w.Line($"public string ToDotGraph() => global::Stateless.Graph.UmlDotGraph.Format(CreateMachine().GetInfo());");
        w.Line();
        w.Line($"private {n.Stateless} CreateMachine() => {n.Machine}.Create(() => _state, state => _state = state, _actions);");
        w.Line();
        w.Open($"private void OnFired({n.State} from, {n.Trigger} trigger)");
        w.Line("if (_state != from)");
        w.Line($"    StateChanged?.Invoke(new {n.Transition}(from, _state, trigger));");
        w.Close();
        w.Close();
    }

    private static void EmitTriggerMethod(CodeWriter w, ProtocolModel protocol, MachineModel machine, TriggerModel trigger, MachineNames n)
    {
        var transitions = machine.Transitions.Where(t => t.Trigger == trigger.Name).ToList();
        var withActions = transitions.Where(t => t.Actions.Count > 0).ToList();
        var isAsync = withActions.Count > 0;
        var name = MethodName(trigger);
        var fromText = string.Join("; ", transitions.Select(t => t.Stays ? $"{t.From} stays" : $"{t.From} to {t.To}"));
        w.Summary(TriggerSummary(trigger) + " Transitions: " + fromText + ".");
        w.Open($"public {(isAsync ? "async " : "")}global::System.Threading.Tasks.ValueTask<{Outcome}> {name}({Parameters(protocol, trigger.Parameters)})");
        var no = isAsync ? $"{Outcome}.NotAllowed" : $"new({Outcome}.NotAllowed)";
        w.Line("var from = _state;");
        w.Line($"if (!{n.Machine}.IsDefined(from, {n.Trigger}.{trigger.Name}))");
        w.Line($"    return {no};");
        w.Line($"var machine = {n.Machine}.CreateFor(from, () => _state, state => _state = state, _actions);");
        var typedArguments = Typed(trigger) ? $"{n.Machine}.{trigger.Name}, {Arguments(trigger.Parameters)}" : $"{n.Trigger}.{trigger.Name}";
        if (transitions.Any(t => t.Guard.Length > 0))
        {
            // Only a guard can still say no once the spec has the transition.
            w.Line($"if (!machine.CanFire({typedArguments}))");
            w.Line($"    return {no};");
        }
        w.Line($"machine.Fire({typedArguments});");
        w.Line($"OnFired(from, {n.Trigger}.{trigger.Name});");
        if (!isAsync)
        {
            w.Line($"return new({Outcome}.Continue);");
            w.Close();
            return;
        }
        w.Line($"var outcome = {Outcome}.Continue;");
        w.Open("switch (from)");
        foreach (var t in withActions)
        {
            w.Line($"case {n.State}.{t.From}:");
            for (var i = 0; i < t.Actions.Count; i++)
            {
                if (i > 0)
                    w.Line("    if (!outcome.Continues) break;");
                w.Line($"    outcome = await _actions.{t.Actions[i]}Async({Arguments(trigger.Parameters)}).ConfigureAwait(false);");
            }
            w.Line("    break;");
        }
        w.Close();
        w.Line("return outcome;");
        w.Close();
    }

    public static string MethodName(TriggerModel trigger) => trigger.Name + "Async";

    /// <summary>A boolean switch over (state, x) pairs: true for the listed pairs, false otherwise.</summary>
    private static void EmitPairSwitch(CodeWriter w, string header, IEnumerable<string> truePairs)
    {
        w.Open(header);
        foreach (var pair in truePairs)
            w.Line($"{pair} => true,");
        w.Line("_ => false,");
        w.Close(";");
    }

    /// <summary>For each transition on a trigger of this kind: the state it leaves and the trigger's source (packet or timeout).</summary>
    private static IEnumerable<(string From, string Source)> SourcesByState(MachineModel machine, TriggerKind kind) =>
        from t in machine.Transitions
        let trigger = machine.Triggers.First(x => x.Name == t.Trigger)
        where trigger.Kind == kind
        select (t.From, trigger.Source);
}
