using System.Text.RegularExpressions;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Turns configured names into SQL text. Placeholders: <c>{{Setting}}</c> a quoted identifier,
/// <c>{{Setting:raw}}</c> the bare name (to build names such as trigger names inside quotes),
/// <c>{{Setting:lit}}</c> a string literal. Names are validated first, so quoting cannot be broken.
/// </summary>
internal static partial class SqlNames
{
    public static string Quote(string identifier) => "\"" + identifier + "\"";

    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Render(string template, MyChipsTableNames names)
    {
        names.Validate();
        var values = names.Identifiers().ToDictionary(p => p.Setting, p => p.Value, StringComparer.Ordinal);
        values[nameof(MyChipsTableNames.DraftStatus)] = names.DraftStatus;
        return Placeholder().Replace(template, match =>
        {
            var setting = match.Groups["name"].Value;
            if (!values.TryGetValue(setting, out var value))
                throw new InvalidOperationException($"Unknown placeholder '{match.Value}' in a schema script.");
            if (value is null)
                throw new InvalidOperationException($"The schema script needs {nameof(MyChipsTableNames)}.{setting}, which is not set.");
            return match.Groups["form"].Value switch
            {
                "raw" => value,
                "lit" => Literal(value),
                _ => Quote(value),
            };
        });
    }

    [GeneratedRegex(@"\{\{(?<name>[A-Za-z]+)(:(?<form>raw|lit))?\}\}")]
    private static partial Regex Placeholder();
}
