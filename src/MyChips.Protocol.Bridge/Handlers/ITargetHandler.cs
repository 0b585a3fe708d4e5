using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>The bridge's part for one message target: our site's requests (local) and other sites' (remote).</summary>
internal interface ITargetHandler
{
    Task<Step> LocalAsync(string action, JsonObject message, CancellationToken ct);

    Task<Step> RemoteAsync(string action, JsonObject message, CancellationToken ct);
}
