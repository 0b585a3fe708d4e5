using System.Reflection;
using Npgsql;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// The MyCHIPs-shaped tally machinery (columns, notify trigger, <c>tally_process</c>, <c>tally_notices</c>) for
/// tests and demos, applied on top of the store's schema. A real MyCHIPs database has its own: never run it there.
/// </summary>
public static class BridgeSchema
{
    /// <summary>The SQL text of the schema subset.</summary>
    public static string Script()
    {
        using var stream = typeof(BridgeSchema).Assembly.GetManifestResourceStream(
            typeof(BridgeSchema).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("site_tallies.sql", StringComparison.Ordinal)))!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Applies <see cref="Script"/>; the store's schema must be applied first.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(Script());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
