using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// The JSON text MyCHIPs signs: object keys in ordinal order at every level, no whitespace, strings escaped and
/// numbers written as JavaScript's <c>JSON.stringify</c> writes them (npm json-stable-stringify).
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            default:
                WriteValue(text, node.AsValue());
                break;
        }
    }

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String: WriteString(text, value.GetValue<string>()); break;
            case JsonValueKind.True: text.Append("true"); break;
            case JsonValueKind.False: text.Append("false"); break;
            case JsonValueKind.Number: text.Append(Number(value)); break;
            default: text.Append("null"); break;
        }
    }

    // JavaScript prints integers below 1e21 in full and other numbers in their shortest round-trip form.
    private static string Number(JsonValue value)
    {
        if (value.TryGetValue<long>(out var whole)) return whole.ToString(CultureInfo.InvariantCulture);
        var number = value.GetValue<double>();
        if (Math.Floor(number) == number && Math.Abs(number) < 1e21)
            return ((decimal)number).ToString("0", CultureInfo.InvariantCulture);
        var shortest = number.ToString("R", CultureInfo.InvariantCulture);
        return shortest.Replace("E", "e", StringComparison.Ordinal);
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    var lone = char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                        && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]));
                    if (c < ' ' || lone) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
