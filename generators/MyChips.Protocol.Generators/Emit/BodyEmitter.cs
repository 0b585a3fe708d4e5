using System.Linq;
using MyChips.Protocol.Generators.Model;
using MyChips.Protocol.Generators.Parsing;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>
/// Emits one codec class per body type: the plaintext payload of a packet to and from bytes.
/// Decoders never throw on bad input: they return false, since the bytes come from the network.
/// </summary>
internal static partial class BodyEmitter
{
    private const string NotNullWhenTrue = "[global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ";

    public static string Emit(ProtocolModel protocol)
    {
        var w = new CodeWriter();
        w.Header(protocol.Namespace);
        var first = true;
        if (protocol.Bodies.Any(b => IsJson(b.Encoding)))
        {
            EmitJsonOptions(w);
            first = false;
        }
        foreach (var body in protocol.Bodies)
        {
            if (!first)
                w.Line();
            first = false;
            switch (body.Encoding)
            {
                case BodyEncoding.Empty: EmitEmpty(w, body); break;
                case BodyEncoding.Raw: EmitRaw(w, body); break;
                case BodyEncoding.Text: EmitText(w, body); break;
                case BodyEncoding.JsonString: EmitJsonString(w, body); break;
                case BodyEncoding.JsonValue:
                case BodyEncoding.JsonObject: EmitJsonValue(w, body); break;
                case BodyEncoding.JsonRecord: EmitRecord(w, body); w.Line(); EmitJsonRecord(w, body); break;
                case BodyEncoding.MessagePackRecord: EmitRecord(w, body); w.Line(); EmitMessagePackRecord(w, body); break;
            }
        }
        return w.Finish();
    }

    private static bool IsJson(BodyEncoding encoding) =>
        encoding is BodyEncoding.JsonString or BodyEncoding.JsonValue or BodyEncoding.JsonObject or BodyEncoding.JsonRecord;

    private static void EmitJsonOptions(CodeWriter w)
    {
        w.Summary("JSON settings shared by the body codecs: text is escaped only where JSON requires it, as JavaScript peers do.");
        w.Generated().Open("internal static class BodyJson");
        w.Line("public static readonly global::System.Text.Json.JsonWriterOptions WriterOptions = new()");
        w.Line("{");
        w.Line("    Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,");
        w.Line("};");
        w.Close();
    }

    private static void OpenCodec(CodeWriter w, BodyModel body, string encoding)
    {
        w.Summary($"The '{body.Name}' body, encoded as {encoding}." + (body.Description.Length > 0 ? " " + body.Description : ""));
        w.Generated().Open($"public static partial class {body.Name}Codec");
    }

    private static void EmitToBytes(CodeWriter w, string type)
    {
        w.Summary("Encodes a value into a new array.");
        w.Open($"public static byte[] ToBytes({type} value)");
        w.Line("var buffer = new global::System.Buffers.ArrayBufferWriter<byte>();");
        w.Line("Encode(buffer, value);");
        w.Line("return buffer.WrittenSpan.ToArray();");
        w.Close();
    }

    /// <summary>The Memory and Sequence overloads, for codecs whose main decoder takes a span.</summary>
    private static void EmitSpanOverloads(CodeWriter w, string outParameter)
    {
        w.Line($"public static bool TryDecode(global::System.ReadOnlyMemory<byte> body, {outParameter} value) => TryDecode(body.Span, out value);");
        w.Line();
        w.Line($"public static bool TryDecode(in {TypeNames.Sequence} body, {outParameter} value) =>");
        w.Line("    body.IsSingleSegment ? TryDecode(body.FirstSpan, out value) : TryDecode(global::System.Buffers.BuffersExtensions.ToArray(body), out value);");
    }

    private static void EmitEmpty(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "no bytes at all");
        w.Summary("An empty body is valid; anything else is not.");
        w.Line("public static bool TryDecode(global::System.ReadOnlySpan<byte> body) => body.IsEmpty;");
        w.Line();
        w.Line($"public static bool TryDecode(in {TypeNames.Sequence} body) => body.IsEmpty;");
        w.Close();
    }

    private static void EmitRaw(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "opaque bytes");
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, global::System.ReadOnlySpan<byte> value)");
        w.Line("value.CopyTo(writer.GetSpan(value.Length));");
        w.Line("writer.Advance(value.Length);");
        w.Close();
        w.Line();
        w.Summary("Always succeeds; the value is the given memory itself, not a copy.");
        w.Open("public static bool TryDecode(global::System.ReadOnlyMemory<byte> body, out global::System.ReadOnlyMemory<byte> value)");
        w.Line("value = body;");
        w.Line("return true;");
        w.Close();
        w.Line();
        w.Summary("Always succeeds; the value is a copy.");
        w.Open($"public static bool TryDecode(in {TypeNames.Sequence} body, out global::System.ReadOnlyMemory<byte> value)");
        w.Line("value = global::System.Buffers.BuffersExtensions.ToArray(body);");
        w.Line("return true;");
        w.Close();
        w.Close();
    }

    private static void EmitText(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "UTF-8 text");
        w.Line("private static readonly global::System.Text.UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);");
        w.Line();
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, string value)");
        w.Line("var count = s_strictUtf8.GetByteCount(value);");
        w.Line("s_strictUtf8.GetBytes(value, writer.GetSpan(count));");
        w.Line("writer.Advance(count);");
        w.Close();
        w.Line();
        EmitToBytes(w, "string");
        w.Line();
        w.Summary("False when the bytes are not valid UTF-8.");
        w.Open($"public static bool TryDecode(global::System.ReadOnlySpan<byte> body, {NotNullWhenTrue}out string? value)");
        w.Open("try");
        w.Line("value = s_strictUtf8.GetString(body);");
        w.Line("return true;");
        w.Close();
        w.Open("catch (global::System.Text.DecoderFallbackException)");
        w.Line("value = null;");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        EmitSpanOverloads(w, NotNullWhenTrue + "out string?");
        w.Close();
    }

    private static void EmitJsonString(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "a JSON string");
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, string value)");
        w.Line("using var json = new global::System.Text.Json.Utf8JsonWriter(writer, BodyJson.WriterOptions);");
        w.Line("json.WriteStringValue(value);");
        w.Line("json.Flush();");
        w.Close();
        w.Line();
        EmitToBytes(w, "string");
        w.Line();
        w.Summary("False unless the body is exactly one JSON string.");
        w.Open($"public static bool TryDecode(global::System.ReadOnlySpan<byte> body, {NotNullWhenTrue}out string? value)");
        w.Line("value = null;");
        // The reader leaves string contents unchecked: invalid UTF-8 would make GetString throw later.
        w.Line("if (!global::System.Text.Unicode.Utf8.IsValid(body))");
        w.Line("    return false;");
        w.Open("try");
        w.Line("var reader = new global::System.Text.Json.Utf8JsonReader(body);");
        w.Line("if (!reader.Read() || reader.TokenType != global::System.Text.Json.JsonTokenType.String)");
        w.Line("    return false;");
        w.Line("var text = reader.GetString();");
        w.Line("if (reader.Read())");
        w.Line("    return false;");
        w.Line("value = text;");
        w.Line("return value is not null;");
        w.Close();
        w.Open("catch (global::System.Text.Json.JsonException)");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        EmitSpanOverloads(w, NotNullWhenTrue + "out string?");
        w.Close();
    }

    private static void EmitJsonValue(CodeWriter w, BodyModel body)
    {
        var objectOnly = body.Encoding == BodyEncoding.JsonObject;
        OpenCodec(w, body, objectOnly ? "a JSON object of open schema" : "any JSON value");
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, {TypeNames.JsonElement} value)");
        if (objectOnly)
        {
            w.Line("if (value.ValueKind != global::System.Text.Json.JsonValueKind.Object)");
            w.Line("    throw new global::System.ArgumentException(\"The body must be a JSON object.\", nameof(value));");
        }
        w.Line("using var json = new global::System.Text.Json.Utf8JsonWriter(writer, BodyJson.WriterOptions);");
        w.Line("value.WriteTo(json);");
        w.Line("json.Flush();");
        w.Close();
        w.Line();
        w.Summary("Writes JSON that is already UTF-8 bytes as it is, so that signed text keeps every byte.");
        w.Open($"public static void EncodeUtf8({TypeNames.BufferWriter} writer, global::System.ReadOnlySpan<byte> utf8Json)");
        w.Line("if (!IsValid(utf8Json))");
        w.Line($"    throw new global::System.ArgumentException({CodeWriter.Literal(objectOnly ? "The body must be one JSON object." : "The body must be one JSON value.")}, nameof(utf8Json));");
        w.Line("utf8Json.CopyTo(writer.GetSpan(utf8Json.Length));");
        w.Line("writer.Advance(utf8Json.Length);");
        w.Close();
        w.Line();
        EmitToBytes(w, TypeNames.JsonElement);
        w.Line();
        w.Summary(objectOnly ? "Whether the bytes are exactly one JSON object; allocates nothing." : "Whether the bytes are exactly one JSON value; allocates nothing.");
        w.Open("public static bool IsValid(global::System.ReadOnlySpan<byte> body)");
        // The reader leaves string contents unchecked: invalid UTF-8 would make GetString throw later.
        w.Line("if (!global::System.Text.Unicode.Utf8.IsValid(body))");
        w.Line("    return false;");
        w.Open("try");
        w.Line("var reader = new global::System.Text.Json.Utf8JsonReader(body);");
        w.Line(objectOnly
            ? "if (!reader.Read() || reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject)"
            : "if (!reader.Read())");
        w.Line("    return false;");
        w.Line("reader.Skip();");
        w.Line("return !reader.Read();");
        w.Close();
        w.Open("catch (global::System.Text.Json.JsonException)");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        w.Summary("Parses the body into an element that owns its data; false on anything but one valid JSON " + (objectOnly ? "object." : "value."));
        w.Open($"public static bool TryDecode(global::System.ReadOnlySpan<byte> body, out {TypeNames.JsonElement} value)");
        w.Line("value = default;");
        // The reader leaves string contents unchecked: invalid UTF-8 would make GetString throw later.
        w.Line("if (!global::System.Text.Unicode.Utf8.IsValid(body))");
        w.Line("    return false;");
        w.Open("try");
        w.Line("var reader = new global::System.Text.Json.Utf8JsonReader(body);");
        w.Line(objectOnly
            ? "if (!reader.Read() || reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject)"
            : "if (!reader.Read())");
        w.Line("    return false;");
        w.Line($"var element = {TypeNames.JsonElement}.ParseValue(ref reader);");
        w.Line("if (reader.Read())");
        w.Line("    return false;");
        w.Line("value = element;");
        w.Line("return true;");
        w.Close();
        w.Open("catch (global::System.Text.Json.JsonException)");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        EmitSpanOverloads(w, "out " + TypeNames.JsonElement);
        w.Close();
    }
}
