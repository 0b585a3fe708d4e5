using System.Text.Json.Nodes;
using static MyChips.Protocol.Bridge.Handlers.Messages;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>
/// Chits: an invoice (pend), its refusal (void) and a payment or approval (good), which our database links into
/// the tally's chain before it is sent with its place in that chain; chain messages go both ways as they are.
/// </summary>
internal sealed class ChitHandler(IBridgeActions bridge) : ITargetHandler
{
    public Task<Step> LocalAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "pend" => SentThenRecordedAsync(message, Recipe(Context("A.draft.pend", "A.void.pend"), update: new JsonObject { ["status"] = "pend" }, clear: true), ct),
        "void" => SentThenRecordedAsync(message, Recipe(Context("L.pend.void"), update: new JsonObject { ["status"] = "void" }, clear: true), ct),
        "good" => LocalGoodAsync(message, ct),
        "chain" => SentThenRecordedAsync(message, JsonValue.Create(true), ct),
        _ => Task.FromResult(Step.Failed($"no chit action '{action}'")),
    };

    public Task<Step> RemoteAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "pend" => ProcessAsync(message, Recipe(Context("null", "L.void"), upsert: new JsonObject { ["status"] = "pend" }), ct),
        "void" => ProcessAsync(message, Recipe(Context("A.pend"), update: new JsonObject { ["signature"] = null, ["status"] = "void" }), ct),
        "good" => RemoteGoodAsync(message, ct),
        "chain" => ProcessAsync(message, JsonValue.Create(false), ct),
        _ => Task.FromResult(Step.Failed($"no chit action '{action}'")),
    };

    // Our user signed the chit: record it as good (which links it into our chain), then send it with its link.
    private async Task<Step> LocalGoodAsync(JsonObject message, CancellationToken ct)
    {
        var confirmation = Confirmation(message, "tally", "uuid");
        var context = Context("L.pend.good", "L.draft.good");
        if (bridge.Signatures.CheckChit(message["object"] as JsonObject, message["pub"] as JsonObject) is { } bad)
        {
            await bridge.ProcessAsync("chit", confirmation, Recipe(context, update: new JsonObject { ["status"] = "pend" }, clear: true), ct).ConfigureAwait(false);
            return Step.Failed(bad);
        }
        var recorded = await ProcessAsync(confirmation, Recipe(context,
            update: new JsonObject { ["status"] = "good", ["chain_msg"] = new JsonObject { ["cmd"] = "loc" } }, clear: true), ct).ConfigureAwait(false);
        if (!recorded.Succeeded) return recorded;
        var outgoing = (JsonObject)message.DeepClone();
        outgoing.Remove("pub");
        if (recorded.Result?["chain"] is JsonObject link && outgoing["object"] is JsonObject chit)
        {
            var chain = (JsonObject)link.DeepClone();
            chain.Insert(0, "cmd", "new");
            chit["chain"] = chain;
        }
        return await bridge.TransmitAsync(outgoing, ct).ConfigureAwait(false) is { } notSent
            ? Step.Failed($"recorded, but not sent (the chain reconciles it later): {notSent}", recorded.Result)
            : recorded;
    }

    private async Task<Step> RemoteGoodAsync(JsonObject message, CancellationToken ct)
    {
        message.Remove("pub");
        // The partner's key is the one in our copy of the tally, not anything the message says.
        var key = await bridge.QueryAsync(
            "select part_cert->>'public' from mychips.tallies where tally_uuid = $1::uuid and tally_type::text <> $2 limit 1", ct,
            Text(message["object"]?["tally"]) ?? "", Text(message["object"]?["by"]) ?? "").ConfigureAwait(false) as string;
        if (bridge.Signatures.CheckChit(message["object"] as JsonObject, key is null ? null : JsonNode.Parse(key) as JsonObject) is { } bad)
            return Step.Failed(bad);
        return await ProcessAsync(message, Recipe(Context("null", "A.pend"), upsert: new JsonObject { ["status"] = "good" }), ct).ConfigureAwait(false);
    }

    private async Task<Step> SentThenRecordedAsync(JsonObject message, JsonNode recipe, CancellationToken ct)
    {
        if (await bridge.TransmitAsync(message, ct).ConfigureAwait(false) is { } notSent) return Step.Failed(notSent);
        var confirmation = Confirmation(message, "tally", "uuid");
        return await ProcessAsync(confirmation, recipe, ct).ConfigureAwait(false);
    }

    private async Task<Step> ProcessAsync(JsonObject message, JsonNode recipe, CancellationToken ct) =>
        Step.From(await bridge.ProcessAsync("chit", message, recipe, ct).ConfigureAwait(false));
}
