using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>What a target's handler may do: send to another site, and run the database's process functions.</summary>
internal interface IBridgeActions
{
    /// <summary>Sends a message to the site its <c>to</c> chad names (or handles it here when that is us).</summary>
    /// <returns>Null when sent, else why not.</returns>
    Task<string?> TransmitAsync(JsonObject message, CancellationToken cancellationToken);

    /// <summary>Sends a ticket message on a first-time connection (Noise IK) to the ticket's issuer.</summary>
    Task<string?> TransmitTicketAsync(JsonObject message, JsonObject ticket, CancellationToken cancellationToken);

    /// <summary>Runs <c>mychips.&lt;target&gt;_process(message, recipe)</c>; null when it returned null.</summary>
    Task<JsonNode?> ProcessAsync(string target, JsonObject message, JsonNode recipe, CancellationToken cancellationToken);

    /// <summary>Runs a query of one value (parameters in order); null for SQL null.</summary>
    Task<object?> QueryAsync(string sql, CancellationToken cancellationToken, params object?[] values);

    /// <summary>Checks signatures, unless the bridge was told not to.</summary>
    SignatureChecks Signatures { get; }
}
