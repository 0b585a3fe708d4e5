using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>
/// The checks MyCHIPs makes before a tally or chit moves on: every signature a tally carries must be its side's
/// (over the tally without its <c>sign</c> member), and a good chit must carry a valid one. Off, everything passes.
/// </summary>
internal sealed class SignatureChecks(bool enabled)
{
    public bool Enabled { get; } = enabled;

    /// <summary>Null when good, else why not.</summary>
    public string? CheckTally(JsonObject? tally)
    {
        if (!Enabled || tally is null) return null;
        var signed = (JsonObject)tally.DeepClone();
        signed.Remove("sign");
        foreach (var side in new[] { "foil", "stock" })
        {
            if (Messages.Text(tally["sign"]?[side]) is not { } signature) continue;
            if (!MyChipsSignature.Verify(tally[side]?["cert"]?["public"] as JsonObject, signed, signature))
                return $"invalid {side} signature";
        }
        return null;
    }

    public string? CheckChit(JsonObject? chit, JsonObject? publicKey)
    {
        if (!Enabled) return null;
        if (chit is null) return "no chit";
        var signed = new JsonObject();
        foreach (var name in new[] { "by", "date", "memo", "ref", "tally", "type", "units", "uuid" })
            if (chit.TryGetPropertyValue(name, out var value)) signed[name] = value?.DeepClone();
        return Messages.Text(chit["sign"]) is not { } signature ? "missing chit signature"
            : MyChipsSignature.Verify(publicKey, signed, signature) ? null : "invalid chit signature";
    }
}
