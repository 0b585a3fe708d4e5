using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// The recipes handed to <c>mychips.&lt;target&gt;_process</c>: after our own send of a request (local) and when
/// a partner's message comes in (remote). An action without a recipe is passed to the database unchanged.
/// </summary>
internal static class Recipes
{
    public static JsonObject Local(string action) => new()
    {
        ["context"] = new JsonArray($"draft.{action}", $"offer.{action}", $"open.{action}", $"H.offer.{action}"),
        ["update"] = new JsonObject { ["status"] = StatusAfter(action) },
        ["clear"] = true,
    };

    public static JsonObject Remote(string action) => new()
    {
        ["context"] = new JsonArray("null", "void", "H.offer", "P.offer", "draft"),
        ["upsert"] = new JsonObject { ["status"] = StatusAfter(action) },
    };

    private static string StatusAfter(string action) => action switch
    {
        "offer" => "offer",
        "accept" => "open",
        "void" => "void",
        _ => action,
    };
}
