using System.Text.Json.Nodes;
using static MyChips.Protocol.Bridge.Handlers.Messages;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>
/// Tally requests: our user's ticket, offer, draft (counter-offer), void and open go to the partner and are then
/// recorded; the partner's are taken in. Opening a tally answers with the chain's first ack (index 0).
/// </summary>
internal sealed class TallyHandler(IBridgeActions bridge) : ITargetHandler
{
    public Task<Step> LocalAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "ticket" => LocalTicketAsync(message, ct),
        "offer" => SignedThenSentAsync(message, "draft.offer", new JsonObject { ["status"] = "offer" },
            new JsonObject { ["status"] = "draft" }, ct),
        "open" => SignedThenSentAsync(message, "offer.open", new JsonObject { ["status"] = "open" },
            new JsonObject { ["hold_sig"] = null }, ct),
        "draft" => SentThenRecordedAsync(message, "offer.draft", new JsonObject
        {
            ["status"] = "draft",
            ["revision"] = (message["object"]?["revision"]?.GetValue<int>() ?? 1) + 1,
        }, ct),
        "void" => SentThenRecordedAsync(message, "offer.void", new JsonObject { ["status"] = "void" }, ct),
        _ => Task.FromResult(Step.Failed($"no tally action '{action}'")),
    };

    public Task<Step> RemoteAsync(string action, JsonObject message, CancellationToken ct) => action switch
    {
        "ticket" => RemoteTicketAsync(message, ct),
        "offer" => RemoteSignedAsync(message, Context("null", "void", "H.offer", "P.offer"), new JsonObject { ["status"] = "offer" }, ct),
        "open" => RemoteOpenAsync(message, ct),
        "draft" => ProcessAsync(Notice(message, "uuid"), Recipe(Context("H.offer"), notify: true), ct),
        "void" => ProcessAsync(Notice(message, "uuid"), Recipe(Context("H.offer"), update: new JsonObject { ["status"] = "void" }), ct),
        _ => Task.FromResult(Step.Failed($"no tally action '{action}'")),
    };

    // Our user accepted a ticket: present it to its issuer, on a first-time connection when there is none.
    private async Task<Step> LocalTicketAsync(JsonObject notice, CancellationToken ct)
    {
        if (notice["chad"] is not JsonObject chad || notice["cert"] is not JsonObject cert || Text(notice["token"]) is null)
            return Step.Failed("the ticket names no token, issuer or certificate");
        var ticket = new JsonObject { ["token"] = notice["token"]!.DeepClone(), ["cert"] = cert.DeepClone() };
        var message = new JsonObject
        {
            ["target"] = "tally",
            ["action"] = "ticket",
            ["to"] = chad.DeepClone(),
            ["from"] = cert["chad"]?.DeepClone(),
            ["ticket"] = ticket,
        };
        var presented = new JsonObject { ["token"] = notice["token"]!.DeepClone(), ["expires"] = notice["expires"]?.DeepClone() };
        var problem = await bridge.TransmitTicketAsync(message, presented, ct).ConfigureAwait(false);
        return problem is null ? Step.Done(null) : Step.Failed(problem);
    }

    private async Task<Step> RemoteTicketAsync(JsonObject message, CancellationToken ct)
    {
        var token = Text(message["ticket"]?["token"]);
        if (token is null || message["ticket"]?["cert"] is not JsonObject cert) return Step.Failed("the ticket names no token or certificate");
        var redeemed = await bridge.QueryAsync("select mychips.token_valid($1, $2::jsonb)", ct, token, cert.ToJsonString()).ConfigureAwait(false);
        return redeemed is true ? Step.Done(JsonValue.Create(true)) : Step.Failed("the ticket is not valid (unknown, used, expired or its tally is no draft)");
    }

    // offer and open carry our user's signature: a bad one is not sent, and the request is set back.
    private async Task<Step> SignedThenSentAsync(JsonObject message, string context, JsonObject done, JsonObject undo, CancellationToken ct)
    {
        var confirmation = Confirmation(message, "uuid");
        if (bridge.Signatures.CheckTally(message["object"] as JsonObject) is { } bad)
        {
            await bridge.ProcessAsync("tally", confirmation, Recipe(Context(context), update: undo, clear: true, notify: true), ct).ConfigureAwait(false);
            return Step.Failed(bad);
        }
        return await SentThenRecordedAsync(message, context, done, ct).ConfigureAwait(false);
    }

    private async Task<Step> SentThenRecordedAsync(JsonObject message, string context, JsonObject update, CancellationToken ct)
    {
        if (await bridge.TransmitAsync(message, ct).ConfigureAwait(false) is { } notSent) return Step.Failed(notSent);
        return await ProcessAsync(Confirmation(message, "uuid"), Recipe(Context(context), update: update, clear: true), ct).ConfigureAwait(false);
    }

    private async Task<Step> RemoteSignedAsync(JsonObject message, JsonArray context, JsonObject upsert, CancellationToken ct)
    {
        if (bridge.Signatures.CheckTally(message["object"] as JsonObject) is { } bad)
        {
            // The user hears of it; the tally is left as it was.
            await bridge.ProcessAsync("tally", Notice(message, "uuid"), Recipe(context, update: [], notify: true), ct).ConfigureAwait(false);
            return Step.Failed(bad);
        }
        return await ProcessAsync(message, Recipe(context, upsert: upsert), ct).ConfigureAwait(false);
    }

    private async Task<Step> RemoteOpenAsync(JsonObject message, CancellationToken ct)
    {
        var step = await RemoteSignedAsync(message, Context("H.offer"), new JsonObject { ["status"] = "open", ["chain_conf"] = 0 }, ct).ConfigureAwait(false);
        if (!step.Succeeded || step.Result?["object"] is not JsonObject tally) return step;
        // The tally is block 0 of the chit chain: tell the partner we agree on its hash.
        var ack = new JsonObject
        {
            ["target"] = "chit",
            ["action"] = "chain",
            ["to"] = message["from"]?.DeepClone(),
            ["from"] = message["to"]?.DeepClone(),
            ["object"] = new JsonObject { ["cmd"] = "ack", ["tally"] = tally["uuid"]?.DeepClone(), ["index"] = 0, ["hash"] = tally["sign"]?["hash"]?.DeepClone() },
        };
        if (await bridge.TransmitAsync(ack, ct).ConfigureAwait(false) is { } notSent) return Step.Failed($"open, but the chain ack was not sent: {notSent}", step.Result);
        return step;
    }

    private async Task<Step> ProcessAsync(JsonObject message, JsonObject recipe, CancellationToken ct) =>
        Step.From(await bridge.ProcessAsync("tally", message, recipe, ct).ConfigureAwait(false));
}
