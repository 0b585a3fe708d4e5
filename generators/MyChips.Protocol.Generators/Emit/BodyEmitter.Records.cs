using System.Linq;
using MyChips.Protocol.Generators.Model;
using MyChips.Protocol.Generators.Parsing;

namespace MyChips.Protocol.Generators.Emit;

/// <summary>Record bodies: their types and their JSON and MessagePack codecs.</summary>
internal static partial class BodyEmitter
{
    private static void EmitRecord(CodeWriter w, BodyModel body)
    {
        w.Summary(body.Description.Length > 0 ? body.Description : $"The '{body.Name}' body.");
        var parameters = body.Fields.Select(f => $"{FieldType(f)} {ModelBuilder.Pascal(f.Name)}");
        w.Generated().Line($"public sealed partial record {body.Name}({string.Join(", ", parameters)});");
    }

    private static string FieldType(FieldModel field) => TypeNames.Field(field.Optional ? field.Type + "?" : field.Type);

    private static void EmitJsonRecord(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "a JSON object");
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, {body.Name} value)");
        w.Line("using var json = new global::System.Text.Json.Utf8JsonWriter(writer, BodyJson.WriterOptions);");
        w.Line("json.WriteStartObject();");
        foreach (var field in body.Fields)
        {
            var property = ModelBuilder.Pascal(field.Name);
            var name = CodeWriter.Literal(field.Name) + "u8";
            var local = "field" + property;
            if (field.Optional)
            {
                w.Line($"if (value.{property} is {{ }} {local})");
                w.Line("    " + JsonWrite(field.Type, name, local) + ";");
            }
            else
            {
                w.Line(JsonWrite(field.Type, name, "value." + property) + ";");
            }
        }
        w.Line("json.WriteEndObject();");
        w.Line("json.Flush();");
        w.Close();
        w.Line();
        EmitToBytes(w, body.Name);
        w.Line();
        w.Summary("False unless the body is one JSON object with every required field of the right type; unknown fields are skipped.");
        w.Open($"public static bool TryDecode(global::System.ReadOnlySpan<byte> body, {NotNullWhenTrue}out {body.Name}? value)");
        w.Line("value = null;");
        // The reader leaves string contents unchecked: invalid UTF-8 would make GetString throw later.
        w.Line("if (!global::System.Text.Unicode.Utf8.IsValid(body))");
        w.Line("    return false;");
        w.Open("try");
        w.Line("var reader = new global::System.Text.Json.Utf8JsonReader(body);");
        w.Line("if (!reader.Read() || reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject)");
        w.Line("    return false;");
        foreach (var field in body.Fields)
        {
            w.Line($"{TypeNames.Field(field.Type + "?")} {Local(field)} = null;");
        }
        w.Open("while (reader.Read() && reader.TokenType == global::System.Text.Json.JsonTokenType.PropertyName)");
        var keyword = "if";
        foreach (var field in body.Fields)
        {
            w.Open($"{keyword} (reader.ValueTextEquals({CodeWriter.Literal(field.Name)}u8))");
            w.Line("reader.Read();");
            w.Line($"{Local(field)} = reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : {JsonRead(field.Type)};");
            w.Close();
            keyword = "else if";
        }
        if (body.Fields.Count > 0)
            w.Open("else");
        w.Line("reader.Read();");
        w.Line("reader.Skip();");
        if (body.Fields.Count > 0)
            w.Close();
        w.Close();
        w.Line("if (reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject || reader.Read())");
        w.Line("    return false;");
        EmitRequiredChecksAndCreate(w, body);
        w.Close();
        foreach (var exception in new[] { "global::System.Text.Json.JsonException", "global::System.InvalidOperationException", "global::System.FormatException" })
        {
            w.Open($"catch ({exception})");
            w.Line("return false;");
            w.Close();
        }
        w.Close();
        w.Line();
        EmitSpanOverloads(w, $"{NotNullWhenTrue}out {body.Name}?");
        w.Close();
    }

    private static void EmitRequiredChecksAndCreate(CodeWriter w, BodyModel body)
    {
        var required = body.Fields.Where(f => !f.Optional).Select(f => $"{Local(f)} is null").ToList();
        if (required.Count > 0)
        {
            w.Line($"if ({string.Join(" || ", required)})");
            w.Line("    return false;");
        }
        var arguments = body.Fields.Select(f => f.Optional || IsReference(f.Type) ? Local(f) : Local(f) + ".Value");
        w.Line($"value = new {body.Name}({string.Join(", ", arguments)});");
        w.Line("return true;");
    }

    private static bool IsReference(string type) => type is "string" or "bytes";

    private static string Local(FieldModel field) => "read" + ModelBuilder.Pascal(field.Name);

    private static string JsonWrite(string type, string name, string value) => type switch
    {
        "string" => $"json.WriteString({name}, {value})",
        "bool" => $"json.WriteBoolean({name}, {value})",
        "bytes" => $"json.WriteBase64String({name}, {value})",
        _ => $"json.WriteNumber({name}, {value})",
    };

    private static string JsonRead(string type) => type switch
    {
        "string" => "reader.GetString()",
        "bool" => "reader.GetBoolean()",
        "i32" => "reader.GetInt32()",
        "i64" => "reader.GetInt64()",
        "u32" => "reader.GetUInt32()",
        "u64" => "reader.GetUInt64()",
        "f64" => "reader.GetDouble()",
        _ => "reader.GetBytesFromBase64()",
    };

    private static void EmitMessagePackRecord(CodeWriter w, BodyModel body)
    {
        OpenCodec(w, body, "a MessagePack array of its fields in spec order");
        w.Open($"public static void Encode({TypeNames.BufferWriter} writer, {body.Name} value)");
        w.Line("var packer = new global::MessagePack.MessagePackWriter(writer);");
        w.Line($"packer.WriteArrayHeader({body.Fields.Count});");
        foreach (var field in body.Fields)
        {
            var property = ModelBuilder.Pascal(field.Name);
            if (field.Optional || IsReference(field.Type))
            {
                var local = "field" + property;
                w.Line($"if (value.{property} is {{ }} {local})");
                w.Line($"    {PackWrite(field.Type, local)};");
                w.Line("else");
                w.Line("    packer.WriteNil();");
            }
            else
            {
                w.Line($"{PackWrite(field.Type, "value." + property)};");
            }
        }
        w.Line("packer.Flush();");
        w.Close();
        w.Line();
        EmitToBytes(w, body.Name);
        w.Line();
        var lastRequired = body.Fields.Select((f, i) => (f, i)).Where(x => !x.f.Optional).Select(x => x.i + 1).DefaultIfEmpty(0).Max();
        w.Summary("False unless the body is one MessagePack array holding every required field with the right type; extra trailing items are skipped.");
        w.Open($"public static bool TryDecode(in {TypeNames.Sequence} body, {NotNullWhenTrue}out {body.Name}? value)");
        w.Line("value = null;");
        w.Open("try");
        w.Line("var reader = new global::MessagePack.MessagePackReader(body);");
        w.Line("var count = reader.ReadArrayHeader();");
        w.Line($"if (count < {lastRequired})");
        w.Line("    return false;");
        for (var i = 0; i < body.Fields.Count; i++)
        {
            var field = body.Fields[i];
            w.Line($"{TypeNames.Field(field.Type + "?")} {Local(field)} = count > {i} && !reader.TryReadNil() ? {PackRead(field.Type)} : null;");
        }
        w.Line($"for (var extra = {body.Fields.Count}; extra < count; extra++)");
        w.Line("    reader.Skip();");
        w.Line("if (!reader.End)");
        w.Line("    return false;");
        EmitRequiredChecksAndCreate(w, body);
        w.Close();
        foreach (var exception in new[] { "global::MessagePack.MessagePackSerializationException", "global::System.IO.EndOfStreamException", "global::System.OverflowException" })
        {
            w.Open($"catch ({exception})");
            w.Line("return false;");
            w.Close();
        }
        w.Close();
        w.Line();
        w.Line($"public static bool TryDecode(global::System.ReadOnlyMemory<byte> body, {NotNullWhenTrue}out {body.Name}? value) => TryDecode(new {TypeNames.Sequence}(body), out value);");
        if (body.Fields.Any(f => f.Type == "bytes"))
        {
            w.Line();
            w.Open("private static byte[]? ReadBytes(ref global::MessagePack.MessagePackReader reader)");
            w.Line("var bytes = reader.ReadBytes();");
            w.Line("return bytes is { } value ? global::System.Buffers.BuffersExtensions.ToArray(value) : null;");
            w.Close();
        }
        w.Close();
    }

    private static string PackWrite(string type, string value) => type switch
    {
        "bytes" => $"packer.Write((global::System.ReadOnlySpan<byte>){value})",
        _ => $"packer.Write({value})",
    };

    private static string PackRead(string type) => type switch
    {
        "string" => "reader.ReadString()",
        "bool" => "reader.ReadBoolean()",
        "i32" => "reader.ReadInt32()",
        "i64" => "reader.ReadInt64()",
        "u32" => "reader.ReadUInt32()",
        "u64" => "reader.ReadUInt64()",
        "f64" => "reader.ReadDouble()",
        _ => "ReadBytes(ref reader)",
    };
}
