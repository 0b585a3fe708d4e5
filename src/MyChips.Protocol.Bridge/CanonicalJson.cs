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
        var written = value.ToJsonString();   // the same text whether the value came parsed or as a .NET number
        if (long.TryParse(written, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
            return whole.ToString(CultureInfo.InvariantCulture);
        var number = double.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (Math.Floor(number) == number && Math.Abs(number) < 1e21)
            return ((decimal)number).ToString("0", CultureInfo.InvariantCulture);
        return JavaScriptNumber(number);
    }

    // The shortest round-trip digits, placed as JavaScript places them: plain from 1e-7 up to 1e21, else d.ddde±x.
    private static string JavaScriptNumber(double number)
    {
        var shortest = number.ToString("E16", CultureInfo.InvariantCulture);
        for (var precision = 1; precision <= 17; precision++)
        {
            var candidate = number.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (double.Parse(candidate, CultureInfo.InvariantCulture) == number) { shortest = candidate; break; }
        }
        var sign = shortest.StartsWith('-') ? "-" : "";
        var mantissa = shortest.TrimStart('-');
        var e = mantissa.IndexOf('E', StringComparison.Ordinal);
        var digits = mantissa[..e].Replace(".", "", StringComparison.Ordinal).TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var exponent = int.Parse(mantissa[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var magnitude = Math.Abs(number);
        if (magnitude >= 1e21 || magnitude < 1e-6)
            return sign + digits[0] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        if (exponent < 0) return sign + "0." + new string('0', -exponent - 1) + digits;
        return digits.Length > exponent + 1 ? sign + digits[..(exponent + 1)] + "." + digits[(exponent + 1)..] : sign + digits + new string('0', exponent + 1 - digits.Length);
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
