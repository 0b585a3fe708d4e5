using System.Text.Json.Nodes;
using static MyChips.Protocol.Bridge.Handlers.Messages;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>
/// Route discovery: our user's draft route becomes a query to the partner of its tally; a partner's query is
/// answered (good or none) from our database; the answer updates our route.
/// </summary>
internal sealed class RouteHandler(IBridgeActions bridge) : ITargetHandler
{
    public Task<Step> LocalAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "draft" => LocalDraftAsync(message, ct),
        "good" or "none" => SendAsync(message, ct),
        _ => Task.FromResult(Step.Failed($"no route action '{action}'")),
    };

    public Task<Step> RemoteAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "query" => RemoteQueryAsync(message, ct),
        "good" => UpdateAsync(message, "good", ct),
        "none" => UpdateAsync(message, "none", ct),
        _ => Task.FromResult(Step.Failed($"no route action '{action}'")),
    };

    private async Task<Step> LocalDraftAsync(JsonObject message, CancellationToken ct)
    {
        var query = (JsonObject)message.DeepClone();
        query["action"] = "query";
        if (await bridge.TransmitAsync(query, ct).ConfigureAwait(false) is { } notSent) return Step.Failed(notSent);
        var result = await bridge.ProcessAsync("route", Reversed(message),
            Recipe(Context("draft"), update: new JsonObject { ["status"] = "pend" }), ct).ConfigureAwait(false);
        return Step.From(result, expectedState: "pend");
    }

    private async Task<Step> SendAsync(JsonObject message, CancellationToken ct) =>
        await bridge.TransmitAsync(message, ct).ConfigureAwait(false) is { } notSent ? Step.Failed(notSent) : Step.Done(null);

    private async Task<Step> RemoteQueryAsync(JsonObject message, CancellationToken ct)
    {
        if (message["object"] is not JsonObject query) return Step.Failed("the query has no object");
        query["step"] = (query["step"]?.GetValue<int>() ?? 0) + 1;   // one more site on the way
        var result = await bridge.ProcessAsync("route", message,
            new JsonObject { ["context"] = Context("null", "none", "good.X", "pend.X"), ["query"] = true }, ct).ConfigureAwait(false);
        var answer = Text(result?["action"]);
        if (answer is not ("good" or "none")) return Step.From(result);
        var reply = Reversed(message);
        reply["action"] = answer;
        reply.Remove("try");
        reply.Remove("last");
        ((JsonObject)reply["object"]!)["lading"] = result!["lading"]?.DeepClone();
        return await bridge.TransmitAsync(reply, ct).ConfigureAwait(false) is { } notSent ? Step.Failed(notSent, result) : Step.Done(result);
    }

    private async Task<Step> UpdateAsync(JsonObject message, string status, CancellationToken ct)
    {
        var lading = message["object"]?["lading"] as JsonObject;
        var update = new JsonObject { ["status"] = status };
        foreach (var (name, value) in lading ?? [])
            if (name is "min" or "max" or "margin" or "reward") update[name] = value?.DeepClone();
        var result = await bridge.ProcessAsync("route", message,
            Recipe(Context("none", "pend", "pend.X", "good.X"), update: update), ct).ConfigureAwait(false);
        return Step.From(result, expectedState: status);
    }
}
