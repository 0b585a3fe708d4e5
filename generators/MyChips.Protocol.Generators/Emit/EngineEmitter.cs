using System;
using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// Emits what ties a spec to the runtime's connection engine: the protocol description (packet
/// table, largest frame, a machine per role), each machine as the engine's <c>IConnectionMachine</c> (received
/// bodies decoded, timeouts by name), and typed send methods on the engine's connection.
/// </summary>
internal static class EngineEmitter
{
    private const string Engine = "global::MyChips.Protocol.Connections";
    private const string Outcome = MachineEmitter.Outcome;
    private const string Memory = "global::System.ReadOnlyMemory<byte>";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";


    public static string Emit(ProtocolModel protocol)
    {
        var w = new CodeWriter();
        w.Header(protocol.Namespace);
        EmitDescription(w, protocol);
        foreach (var machine in protocol.Machines)
        {
            w.Line();
            EmitMachine(w, protocol, machine);
        }
        w.Line();
        EmitSends(w, protocol);
        return w.Finish();
    }

    private static bool IsRole(string name, string role) => string.Equals(name, role, StringComparison.OrdinalIgnoreCase);

    private static void EmitDescription(CodeWriter w, ProtocolModel protocol)
    {
        var initiator = protocol.Roles[0];
        var responder = protocol.Roles[1];
        w.Summary($"{protocol.Title} as the runtime's connection engine reads it: its packets, largest frame and machines. The {initiator} role connects; the {responder} role accepts.");
        w.Generated().Open($"public sealed class {protocol.Name}Description : {Engine}.ProtocolDescription");
        w.Summary("The one instance: the description holds no state.");
        w.Line($"public static {protocol.Name}Description Instance {{ get; }} = new();");
        w.Line();
        w.Line($"private {protocol.Name}Description()");
        var framing = protocol.Framing == FramingKind.Line ? "Line" : "LengthPrefixed";
        w.Line($"    : base({CodeWriter.Literal(protocol.Name)}, {Engine}.ProtocolFraming.{framing}, FrameCodec.MaxFrameLength, new {Engine}.PacketDescriptor[]");
        w.Line("    {");
        foreach (var p in protocol.Packets)
        {
            var patterns = p.NoisePatterns.Count == 0 ? "global::System.Array.Empty<string>()" : $"new[] {{ {string.Join(", ", p.NoisePatterns.Select(CodeWriter.Literal))} }}";
            w.Line($"        new((byte)PacketType.{p.Name}, {CodeWriter.Literal(p.Keyword)}, {CodeWriter.Literal(p.Name)}, {Bool(p.Senders.Any(s => IsRole(s, initiator)))}, {Bool(p.Senders.Any(s => IsRole(s, responder)))}, " +
                $"{Engine}.PacketStage.{p.Stage}, {patterns}, {p.MessageIndex}),");
        }
        w.Line("    })");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.SummaryXml("The role's machine over <paramref name=\"session\"/>, which implements the machine's actions interface; null for a role the spec gives no machine.");
        w.Open($"public override {Engine}.IConnectionMachine? CreateMachine({Engine}.ConnectionRole role, object session)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(session);");
        foreach (var (role, engineRole) in new[] { (initiator, "Initiator"), (responder, "Responder") })
        {
            var machine = protocol.Machines.FirstOrDefault(m => IsRole(m.Role, role));
            if (machine is null)
                continue;
            var n = new MachineNames(machine.Name);
            w.Line($"if (role == {Engine}.ConnectionRole.{engineRole})");
            w.Line($"    return new {n.Connection}(session as {n.Actions} ?? throw new global::System.ArgumentException(\"A {role} session must implement {n.Actions}.\", nameof(session)));");
        }
        w.Line("return null;");
        w.Close();
        w.Close();
    }

    private static void EmitMachine(CodeWriter w, ProtocolModel protocol, MachineModel machine)
    {
        var n = new MachineNames(machine.Name);
        var names = machine.Timeouts.Select(t => CodeWriter.Literal(Camel(t.Name))).ToList();
        w.Open($"public sealed partial class {n.Connection} : {Engine}.IConnectionMachine");
        w.Line(names.Count == 0
            ? "private static readonly string[] s_timeoutNames = global::System.Array.Empty<string>();"
            : $"private static readonly string[] s_timeoutNames = {{ {string.Join(", ", names)} }};");
        w.Line();
        w.Line($"string {Engine}.IConnectionMachine.StateName => _state.ToString();");
        w.Line();
        w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {Engine}.IConnectionMachine.TimeoutNames => s_timeoutNames;");
        w.Line();
        w.Line(protocol.Framing == FramingKind.Line
            ? $"bool {Engine}.IConnectionMachine.Accepts(byte packetType) => packetType < {protocol.Packets.Count} && Accepts((PacketType)packetType);"
            : $"bool {Engine}.IConnectionMachine.Accepts(byte packetType) => PacketTypes.TryFromTypeByte(packetType, out var type) && Accepts(type);");
        w.Line();
        EmitReceive(w, protocol, machine, n);
        w.Line();
        EmitTimeouts(w, machine, n);
        w.Line();
        EmitEnd(w, machine);
        w.Close();
    }

    private static void EmitReceive(CodeWriter w, ProtocolModel protocol, MachineModel machine, MachineNames n)
    {
        var receives = machine.Triggers.Where(t => t.Kind == TriggerKind.Receive).ToList();
        w.Open($"{ValueTask}<{Outcome}> {Engine}.IConnectionMachine.ReceiveAsync(byte packetType, {Memory} body)");
        w.Open("switch ((PacketType)packetType)");
        foreach (var trigger in receives)
        {
            var packet = protocol.Packets.First(p => p.Name == trigger.Source);
            var body = protocol.Bodies.FirstOrDefault(b => b.Name == packet.Body);
            var malformed = $"new({Outcome}.Malformed({CodeWriter.Literal($"a malformed {packet.Name} body")}))";
            w.Line($"case PacketType.{packet.Name}:");
            if (body is null || body.Encoding == BodyEncoding.Empty || trigger.Parameters.Count == 0)
            {
                if (body is null || body.Encoding == BodyEncoding.Empty)
                    w.Line($"    if (!body.IsEmpty) return {malformed};");
                w.Line($"    return {MachineEmitter.MethodName(trigger)}();");
                continue;
            }
            w.Line($"    return {body.Name}Codec.TryDecode(body, out var {Local(packet.Name)}) ? {MachineEmitter.MethodName(trigger)}({Local(packet.Name)}) : {malformed};");
        }
        w.Line("default:");
        w.Line($"    return new({Outcome}.NotAllowed);");
        w.Close();
        w.Close();
    }

    private static void EmitTimeouts(CodeWriter w, MachineModel machine, MachineNames n)
    {
        string Switch(Func<TimeoutModel, string> arm, string otherwise) => machine.Timeouts.Count == 0 ? otherwise :
            "name switch { " + string.Concat(machine.Timeouts.Select(t => $"{CodeWriter.Literal(Camel(t.Name))} => {arm(t)}, ")) + $"_ => {otherwise} }}";

        var unknown = "throw new global::System.ArgumentOutOfRangeException(nameof(name), name, \"No timeout of this machine.\")";
        w.Line($"global::System.TimeSpan {Engine}.IConnectionMachine.GetTimeout(string name) => " +
            Switch(t => $"{n.Machine}.GetDuration({n.Timeout}.{t.Name})", unknown) + ";");
        w.Line();
        w.Line($"bool {Engine}.IConnectionMachine.IsArmed(string name) => " + Switch(t => $"IsArmed({n.Timeout}.{t.Name})", "false") + ";");
        w.Line();
        w.Line($"{ValueTask}<{Outcome}> {Engine}.IConnectionMachine.ExpireAsync(string name) => " +
            Switch(t => $"{t.Name}TimedOutAsync()", $"new({Outcome}.NotAllowed)") + ";");
    }

    /// <summary>The engine ends a connection through the spec's <c>close</c> and <c>failed(reason)</c> events, where the machine has them.</summary>
    private static void EmitEnd(CodeWriter w, MachineModel machine)
    {
        var close = machine.Triggers.FirstOrDefault(t => t.Kind == TriggerKind.Event && IsRole(t.Source, "close") && t.Parameters.Count == 0);
        var failed = machine.Triggers.FirstOrDefault(t => t.Kind == TriggerKind.Event && IsRole(t.Source, "failed") && t.Parameters.Count == 1 && t.Parameters[0].Type == TypeRef.Scalar("string"));
        if (close is null && failed is null)
        {
            w.Line($"{ValueTask} {Engine}.IConnectionMachine.EndAsync(string? failure) => default;");
            return;
        }
        w.Open($"async {ValueTask} {Engine}.IConnectionMachine.EndAsync(string? failure)");
        if (failed is not null)
        {
            w.Line("if (failure is not null)");
            w.Line("{");
            w.Line($"    await {MachineEmitter.MethodName(failed)}(failure).ConfigureAwait(false);");
            w.Line("    return;");
            w.Line("}");
        }
        if (close is not null)
            w.Line($"await {MachineEmitter.MethodName(close)}().ConfigureAwait(false);");
        w.Close();
    }

    private static void EmitSends(CodeWriter w, ProtocolModel protocol)
    {
        w.Summary($"Typed sends of the {protocol.Title} packets on the runtime's connection: the body encoded by its codec.");
        w.Generated().Open($"public static class {protocol.Name}ConnectionExtensions");
        var first = true;
        foreach (var packet in protocol.Packets)
        {
            if (!first)
                w.Line();
            first = false;
            var body = protocol.Bodies.FirstOrDefault(b => b.Name == packet.Body);
            var (parameter, bytes) = body is null || body.Encoding == BodyEncoding.Empty ? ("", "default")
                : body.Encoding == BodyEncoding.Raw ? ($"{Memory} value, ", "value")
                : ($"{TypeNames.Body(body)} value, ", $"{body.Name}Codec.ToBytes(value)");
            w.Summary($"Sends {packet.Name} '{packet.Keyword}'. {packet.Description}".TrimEnd());
            w.Line($"public static {ValueTask} Send{packet.Name}Async(this {Engine}.ProtocolConnection connection, {parameter}global::System.Threading.CancellationToken cancellationToken = default) =>");
            w.Line($"    connection.SendAsync((byte)PacketType.{packet.Name}, {bytes}, cancellationToken);");
        }
        w.Close();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Camel(string pascal) => pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);

    private static string Local(string packet) => CodeWriter.Identifier(Camel(packet));
}
