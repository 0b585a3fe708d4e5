using System.Reflection;
using Npgsql;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// The MyCHIPs-shaped subset of a site database the bridge works (tallies, tokens, chits, chains, routes: their
/// columns, notify triggers, <c>*_process</c> functions, <c>token_valid</c>, <c>ticket_process</c>, <c>tally_notices</c>) for
/// tests and demos, applied on top of the store's schema. A real MyCHIPs database has its own: never run it there.
/// </summary>
public static class BridgeSchema
{
    /// <summary>The SQL text of the schema subset: tallies, tokens, chits, chains and routes, in that order.</summary>
    public static string Script()
    {
        var assembly = typeof(BridgeSchema).Assembly;
        var parts = assembly.GetManifestResourceNames().Where(n => n.Contains(".site_", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var script = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(part)!);
            script.AppendLine(reader.ReadToEnd());
        }
        return script.ToString();
    }

    /// <summary>Applies <see cref="Script"/>; the store's schema must be applied first.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(Script());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
