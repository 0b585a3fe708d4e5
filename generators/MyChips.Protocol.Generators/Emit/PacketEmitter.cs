using System.Linq;
using MyChips.Protocol.Generators.Model;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>Emits the packet enum, its metadata and the frame codec of one protocol.</summary>
internal static class PacketEmitter
{
    public static string Emit(ProtocolModel protocol)
    {
        var w = new CodeWriter();
        w.Header(protocol.Namespace);
        EmitPacketType(w, protocol);
        w.Line();
        EmitRoles(w, protocol);
        w.Line();
        EmitNoise(w, protocol);
        w.Line();
        EmitPacketInfo(w, protocol);
        w.Line();
        EmitFrameTypes(w, protocol);
        w.Line();
        if (protocol.Framing == FramingKind.LengthPrefixed)
            EmitLengthPrefixedCodec(w, protocol);
        else
            EmitLineCodec(w, protocol);
        return w.Finish();
    }

    private static void EmitPacketType(CodeWriter w, ProtocolModel protocol)
    {
        w.Summary(protocol.Framing == FramingKind.LengthPrefixed
            ? $"The packets of {protocol.Title}; each value is the packet's type byte on the wire."
            : $"The packets (commands) of {protocol.Title}.");
        w.Generated().Open(protocol.Framing == FramingKind.LengthPrefixed ? "public enum PacketType : byte" : "public enum PacketType");
        var index = 0;
        foreach (var packet in protocol.Packets)
        {
            w.Summary(packet.Description.Length > 0 ? $"'{packet.Keyword}': {packet.Description}" : $"'{packet.Keyword}'.");
            w.Line(protocol.Framing == FramingKind.LengthPrefixed
                ? $"{packet.Name} = {CodeWriter.Hex(packet.TypeByte)},"
                : $"{packet.Name} = {index++},");
        }
        w.Close();
    }

    private static void EmitRoles(CodeWriter w, ProtocolModel protocol)
    {
        EmitFlags(w, "PeerRoles", "The roles of a connection; a packet's senders are a combination of them.", protocol.Roles);
    }

    private static void EmitNoise(CodeWriter w, ProtocolModel protocol)
    {
        EmitFlags(w, "NoisePatterns", "The Noise handshake patterns a handshake packet may belong to.", protocol.NoisePatterns);
    }

    /// <summary>A [Flags] enum with None = 0 and one bit per member, in spec order.</summary>
    private static void EmitFlags(CodeWriter w, string name, string summary, EquatableArray<string> members)
    {
        w.Summary(summary);
        w.Line("[global::System.Flags]");
        w.Generated().Open($"public enum {name}");
        w.Line("None = 0,");
        for (var i = 0; i < members.Count; i++)
            w.Line($"{members[i]} = {1 << i},");
        w.Close();
    }

    private static void EmitPacketInfo(CodeWriter w, ProtocolModel protocol)
    {
        w.Summary("What the spec says about one packet.");
        w.Line("/// <param name=\"Type\">The packet.</param>");
        w.Line("/// <param name=\"Keyword\">Its type on the wire, as text: the type byte or the command word.</param>");
        w.Line("/// <param name=\"Senders\">The roles that may send it.</param>");
        w.Line("/// <param name=\"Stage\">Handshake message, transport message, or outside Noise.</param>");
        w.Line("/// <param name=\"Patterns\">For a handshake message, the patterns it belongs to.</param>");
        w.Line("/// <param name=\"MessageIndex\">For a handshake message, its 1-based index in the pattern; otherwise 0.</param>");
        w.Line("/// <param name=\"Body\">The body type's name in the spec, or an empty string for no body.</param>");
        w.Generated().Line("public sealed record PacketInfo(PacketType Type, string Keyword, PeerRoles Senders, global::MyChips.Protocol.Connections.PacketStage Stage, NoisePatterns Patterns, int MessageIndex, string Body);");
        w.Line();

        w.SummaryXml("Metadata and lookups for <see cref=\"PacketType\"/>.");
        w.Generated().Open("public static class PacketTypes");
        w.Summary("Every packet, in spec order.");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<PacketType> All { get; } = new[]");
        w.Line("{");
        foreach (var packet in protocol.Packets)
            w.Line($"    PacketType.{packet.Name},");
        w.Line("};");
        w.Line();

        foreach (var packet in protocol.Packets)
        {
            var senders = packet.Senders.Count == 0 ? "PeerRoles.None" : string.Join(" | ", packet.Senders.Select(s => "PeerRoles." + s));
            var patterns = packet.NoisePatterns.Count == 0 ? "NoisePatterns.None" : string.Join(" | ", packet.NoisePatterns.Select(p => "NoisePatterns." + p));
            w.Line($"private static readonly PacketInfo s_{Camel(packet.Name)} = new(PacketType.{packet.Name}, {CodeWriter.Literal(packet.Keyword)}, {senders}, global::MyChips.Protocol.Connections.PacketStage.{packet.Stage}, {patterns}, {packet.MessageIndex}, {CodeWriter.Literal(packet.Body)});");
        }
        w.Line();

        w.Summary("The spec's metadata of a packet.");
        w.Open("public static PacketInfo GetInfo(this PacketType type) => type switch");
        foreach (var packet in protocol.Packets)
            w.Line($"PacketType.{packet.Name} => s_{Camel(packet.Name)},");
        w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(type), type, \"Not a packet of this protocol.\"),");
        w.Close(";");
        w.Line();

        w.Summary("Whether a role may send the packet.");
        w.Line("public static bool CanBeSentBy(this PacketType type, PeerRoles role) => (type.GetInfo().Senders & role) == role && role != PeerRoles.None;");
        w.Line();

        if (protocol.Framing == FramingKind.LengthPrefixed)
        {
            w.Summary("Maps a type byte read from the wire to its packet; false for any other byte.");
            w.Open("public static bool TryFromTypeByte(byte value, out PacketType type)");
            w.Open("switch (value)");
            foreach (var packet in protocol.Packets)
            {
                w.Line($"case {CodeWriter.Hex(packet.TypeByte)}:");
                w.Line($"    type = PacketType.{packet.Name};");
                w.Line("    return true;");
            }
            w.Line("default:");
            w.Line("    type = default;");
            w.Line("    return false;");
            w.Close();
            w.Close();
        }
        else
        {
            w.Summary("Maps a command word read from the wire to its packet; false for any other word.");
            w.Open("public static bool TryFromKeyword(global::System.ReadOnlySpan<byte> word, out PacketType type)");
            foreach (var packet in protocol.Packets)
            {
                w.Open($"if (global::System.MemoryExtensions.SequenceEqual(word, {CodeWriter.Literal(packet.Keyword)}u8))");
                w.Line($"type = PacketType.{packet.Name};");
                w.Line("return true;");
                w.Close();
            }
            w.Line("type = default;");
            w.Line("return false;");
            w.Close();
            w.Line();
            w.Summary("The command word of a packet, as UTF-8.");
            w.Open("public static global::System.ReadOnlySpan<byte> KeywordUtf8(this PacketType type) => type switch");
            foreach (var packet in protocol.Packets)
                w.Line($"PacketType.{packet.Name} => {CodeWriter.Literal(packet.Keyword)}u8,");
            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(type), type, \"Not a packet of this protocol.\"),");
            w.Close(";");
        }
        w.Close();
    }

    private static void EmitFrameTypes(CodeWriter w, ProtocolModel protocol)
    {
        w.Summary("One received frame. The body is a slice of the reader's buffer: use it before advancing the reader.");
        w.Generated().Open("public readonly struct Frame");
        w.Open($"public Frame(PacketType type, {TypeNames.Sequence} body)");
        w.Line("Type = type;");
        w.Line("Body = body;");
        w.Close();
        w.Line();
        w.Line("public PacketType Type { get; }");
        w.Line();
        w.Summary("The packet body: the Noise message when encrypted, the plaintext body in raw mode.");
        w.Line($"public {TypeNames.Sequence} Body {{ get; }}");
        w.Close();
    }

    private static void EmitLengthPrefixedCodec(CodeWriter w, ProtocolModel protocol)
    {
        const string Framing = "global::MyChips.Protocol.Framing.LengthPrefixedFraming";
        const string Status = "global::MyChips.Protocol.Framing.LengthPrefixedReadStatus";
        w.Summary("Frames on the wire: a 4-byte big-endian length, then the type byte, then the body; this protocol's packet types and maximum on the runtime's length-prefixed framing.");
        w.Generated().Open("public static class FrameCodec");
        w.Summary("The length field and the type byte.");
        w.Line($"public const int HeaderLength = {Framing}.HeaderLength;");
        w.Line();
        w.Summary("The largest length field the spec allows (type byte plus body).");
        w.Line($"public const int MaxFrameLength = {protocol.MaxFrameLength};");
        w.Line();
        w.Summary("The largest body the spec allows.");
        w.Line("public const int MaxBodyLength = MaxFrameLength - 1;");
        w.Line();
        w.Summary("Reads one frame, allowing the spec's maximum length.");
        w.Line($"public static global::MyChips.Protocol.Framing.FrameReadStatus TryReadFrame(ref {TypeNames.Sequence} buffer, out Frame frame) => TryReadFrame(ref buffer, out frame, MaxFrameLength);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Reads one frame without allocating; the length and the type are checked before the body is waited for.");
        w.Line("/// On <c>FrameReadStatus.Complete</c> and <c>FrameReadStatus.Empty</c> the buffer is");
        w.Line("/// advanced past the frame; otherwise it is left as it was.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"maxFrameLength\">A run-time limit from 1 to <see cref=\"MaxFrameLength\"/>.</param>");
        w.Open($"public static global::MyChips.Protocol.Framing.FrameReadStatus TryReadFrame(ref {TypeNames.Sequence} buffer, out Frame frame, int maxFrameLength)");
        w.Line("if (maxFrameLength < 1 || maxFrameLength > MaxFrameLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(maxFrameLength), maxFrameLength, \"The limit must be from 1 to MaxFrameLength.\");");
        w.Line();
        w.Line($"var status = {Framing}.TryRead<KnownTypes>(ref buffer, maxFrameLength, out var type, out var body);");
        w.Line($"frame = status == {Status}.Complete ? new Frame((PacketType)type, body) : default;");
        w.Open("return status switch");
        w.Line($"{Status}.Complete => global::MyChips.Protocol.Framing.FrameReadStatus.Complete,");
        w.Line($"{Status}.Empty => global::MyChips.Protocol.Framing.FrameReadStatus.Empty,");
        w.Line($"{Status}.TooLarge => global::MyChips.Protocol.Framing.FrameReadStatus.TooLarge,");
        w.Line($"{Status}.UnknownType => global::MyChips.Protocol.Framing.FrameReadStatus.UnknownType,");
        w.Line("_ => global::MyChips.Protocol.Framing.FrameReadStatus.NeedMoreData,");
        w.Close(";");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Consumes one whole frame whatever its type, for a peer that ignores unknown types as the");
        w.Line("/// JavaScript peer does. False, consuming nothing, until the whole frame is there or when it is too large.");
        w.Line("/// </summary>");
        w.Line($"public static bool TrySkipFrame(ref {TypeNames.Sequence} buffer, int maxFrameLength = MaxFrameLength) => {Framing}.TrySkip(ref buffer, maxFrameLength);");
        w.Line();
        w.Summary("The number of bytes a frame with this body length takes on the wire.");
        w.Line("public static int GetFrameSize(int bodyLength) => HeaderLength + bodyLength;");
        w.Line();
        w.Summary("Writes one whole frame.");
        w.Open($"public static void WriteFrame({TypeNames.BufferWriter} writer, PacketType type, global::System.ReadOnlySpan<byte> body)");
        w.Line("body.CopyTo(BeginFrame(writer, type, body.Length));");
        w.Line("CompleteFrame(writer, body.Length);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Writes the header of a frame and returns the body's place in the writer, to fill in place");
        w.Line("/// (for example by encrypting straight into it). Call <see cref=\"CompleteFrame\"/> with the same length after.");
        w.Line("/// </summary>");
        w.Open($"public static global::System.Span<byte> BeginFrame({TypeNames.BufferWriter} writer, PacketType type, int bodyLength)");
        w.Line("if (bodyLength < 0 || bodyLength > MaxBodyLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, \"The body must be from 0 to MaxBodyLength bytes.\");");
        w.Line("if (!PacketTypes.TryFromTypeByte((byte)type, out _))");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(type), type, \"Not a packet of this protocol.\");");
        w.Line($"return {Framing}.Begin(writer, (byte)type, bodyLength);");
        w.Close();
        w.Line();
        w.SummaryXml("Commits a frame begun with <see cref=\"BeginFrame\"/>.");
        w.Line($"public static void CompleteFrame({TypeNames.BufferWriter} writer, int bodyLength) => {Framing}.Complete(writer, bodyLength);");
        w.Line();
        w.Summary("This protocol's type bytes, for the runtime's frame reader.");
        w.Open("private readonly struct KnownTypes : global::MyChips.Protocol.Framing.IFrameTypeSet");
        w.Line("public static bool IsKnown(byte type) => PacketTypes.TryFromTypeByte(type, out _);");
        w.Close();
        w.Close();
    }

    private static void EmitLineCodec(CodeWriter w, ProtocolModel protocol)
    {
        w.Summary("Frames on the wire: one text line per packet, the command word, a space and the body, ending in CRLF (read: a bare LF is taken too).");
        w.Generated().Open("public static class FrameCodec");
        w.Summary("The longest line the spec allows, without its line end.");
        w.Line($"public const int MaxFrameLength = {protocol.MaxFrameLength};");
        w.Line();
        w.Summary("The longest command word.");
        w.Line($"public const int MaxKeywordLength = {protocol.Packets.Select(p => System.Text.Encoding.UTF8.GetByteCount(p.Keyword)).DefaultIfEmpty(1).Max()};");
        w.Line();
        w.Summary("Reads one line, allowing the spec's maximum length.");
        w.Line($"public static global::MyChips.Protocol.Framing.FrameReadStatus TryReadFrame(ref {TypeNames.Sequence} buffer, out Frame frame) => TryReadFrame(ref buffer, out frame, MaxFrameLength);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Reads one line without allocating. A buffer holding more than <paramref name=\"maxFrameLength\"/> bytes");
        w.Line("/// with no line end is <c>FrameReadStatus.TooLarge</c> at once. On <c>FrameReadStatus.Complete</c>");
        w.Line("/// and <c>FrameReadStatus.Empty</c> the buffer is advanced past the line; otherwise it is left as it was.");
        w.Line("/// </summary>");
        w.Open($"public static global::MyChips.Protocol.Framing.FrameReadStatus TryReadFrame(ref {TypeNames.Sequence} buffer, out Frame frame, int maxFrameLength)");
        w.Line("if (maxFrameLength < 1 || maxFrameLength > MaxFrameLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(maxFrameLength), maxFrameLength, \"The limit must be from 1 to MaxFrameLength.\");");
        w.Line();
        w.Line("frame = default;");
        w.Line("var end = global::System.Buffers.BuffersExtensions.PositionOf(buffer, (byte)'\\n');");
        w.Line("if (end is null)");
        w.Line("    return buffer.Length > maxFrameLength ? global::MyChips.Protocol.Framing.FrameReadStatus.TooLarge : global::MyChips.Protocol.Framing.FrameReadStatus.NeedMoreData;");
        w.Line();
        w.Line("var line = buffer.Slice(0, end.Value);");
        w.Line("if (line.Length > maxFrameLength)");
        w.Line("    return global::MyChips.Protocol.Framing.FrameReadStatus.TooLarge;");
        w.Line("var rest = buffer.Slice(buffer.GetPosition(1, end.Value));");
        w.Line("if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\\r')");
        w.Line("    line = line.Slice(0, line.Length - 1);");
        w.Open("if (line.IsEmpty)");
        w.Line("buffer = rest;");
        w.Line("return global::MyChips.Protocol.Framing.FrameReadStatus.Empty;");
        w.Close();
        w.Line();
        w.Line("var space = global::System.Buffers.BuffersExtensions.PositionOf(line, (byte)' ');");
        w.Line("var word = space is null ? line : line.Slice(0, space.Value);");
        w.Line("if (word.Length > MaxKeywordLength)");
        w.Line("    return global::MyChips.Protocol.Framing.FrameReadStatus.UnknownType;");
        w.Line("global::System.Span<byte> wordBytes = stackalloc byte[MaxKeywordLength];");
        w.Line("global::System.Buffers.BuffersExtensions.CopyTo(word, wordBytes);");
        w.Line("if (!PacketTypes.TryFromKeyword(wordBytes.Slice(0, (int)word.Length), out var type))");
        w.Line("    return global::MyChips.Protocol.Framing.FrameReadStatus.UnknownType;");
        w.Line();
        w.Line("var body = space is null ? line.Slice(line.End) : line.Slice(line.GetPosition(1, space.Value));");
        w.Line("frame = new Frame(type, body);");
        w.Line("buffer = rest;");
        w.Line("return global::MyChips.Protocol.Framing.FrameReadStatus.Complete;");
        w.Close();
        w.Line();
        w.Summary("Consumes one whole line whatever its command; false, consuming nothing, until the line end is there or when it is too long.");
        w.Open($"public static bool TrySkipFrame(ref {TypeNames.Sequence} buffer, int maxFrameLength = MaxFrameLength)");
        w.Line("var end = global::System.Buffers.BuffersExtensions.PositionOf(buffer, (byte)'\\n');");
        w.Line("if (end is null || buffer.Slice(0, end.Value).Length > maxFrameLength)");
        w.Line("    return false;");
        w.Line("buffer = buffer.Slice(buffer.GetPosition(1, end.Value));");
        w.Line("return true;");
        w.Close();
        w.Line();
        w.Summary("The number of bytes a line with this body length takes on the wire.");
        w.Line("public static int GetFrameSize(PacketType type, int bodyLength) => type.KeywordUtf8().Length + (bodyLength > 0 ? bodyLength + 1 : 0) + 2;");
        w.Line();
        w.Summary("Writes one whole line. The body must not hold a line end.");
        w.Open($"public static void WriteFrame({TypeNames.BufferWriter} writer, PacketType type, global::System.ReadOnlySpan<byte> body)");
        w.Line("if (global::System.MemoryExtensions.IndexOfAny(body, (byte)'\\n', (byte)'\\r') >= 0)");
        w.Line("    throw new global::System.ArgumentException(\"A line body cannot hold a line end.\", nameof(body));");
        w.Line("body.CopyTo(BeginFrame(writer, type, body.Length));");
        w.Line("CompleteFrame(writer, type, body.Length);");
        w.Close();
        w.Line();
        w.SummaryXml("Writes the command word and returns the body's place in the writer; call <see cref=\"CompleteFrame\"/> after filling it.");
        w.Open($"public static global::System.Span<byte> BeginFrame({TypeNames.BufferWriter} writer, PacketType type, int bodyLength)");
        w.Line("var keyword = type.KeywordUtf8();");
        w.Line("var size = GetFrameSize(type, bodyLength);");
        w.Line("if (bodyLength < 0 || size - 2 > MaxFrameLength)");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, \"The line would be longer than MaxFrameLength.\");");
        w.Line();
        w.Line("var span = writer.GetSpan(size);");
        w.Line("keyword.CopyTo(span);");
        w.Line("if (bodyLength > 0)");
        w.Line("    span[keyword.Length] = (byte)' ';");
        w.Line("span[size - 2] = (byte)'\\r';");
        w.Line("span[size - 1] = (byte)'\\n';");
        w.Line("return bodyLength > 0 ? span.Slice(keyword.Length + 1, bodyLength) : default;");
        w.Close();
        w.Line();
        w.SummaryXml("Commits a line begun with <see cref=\"BeginFrame\"/>.");
        w.Line($"public static void CompleteFrame({TypeNames.BufferWriter} writer, PacketType type, int bodyLength) => writer.Advance(GetFrameSize(type, bodyLength));");
        w.Close();
    }

    private static string Camel(string name) => Parsing.ModelBuilder.Camel(name);
}
