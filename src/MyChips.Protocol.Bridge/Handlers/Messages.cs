using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>Small builders for the messages and recipes the handlers hand to the database.</summary>
internal static class Messages
{
    /// <summary>
    /// The message that records our own send: addressed to our user (the sender's <c>from</c>), naming the
    /// object only by the given keys.
    /// </summary>
    public static JsonObject Confirmation(JsonObject message, params string[] objectKeys)
    {
        var about = new JsonObject();
        foreach (var key in objectKeys) about[key] = message["object"]?[key]?.DeepClone();
        return new JsonObject
        {
            ["action"] = message["action"]?.DeepClone(),
            ["target"] = message["target"]?.DeepClone(),
            ["to"] = message["from"]?.DeepClone(),
            ["object"] = about,
        };
    }

    /// <summary>A partner's message about our user (its <c>to</c>), naming the object only by the given keys.</summary>
    public static JsonObject Notice(JsonObject message, params string[] objectKeys)
    {
        var notice = Confirmation(message, objectKeys);
        notice["to"] = message["to"]?.DeepClone();
        return notice;
    }

    /// <summary>The same message going back the way it came (to and from swapped).</summary>
    public static JsonObject Reversed(JsonObject message)
    {
        var reply = (JsonObject)message.DeepClone();
        reply["to"] = message["from"]?.DeepClone();
        reply["from"] = message["to"]?.DeepClone();
        return reply;
    }

    public static JsonArray Context(params string[] states) => new([.. states.Select(s => (JsonNode?)JsonValue.Create(s))]);

    /// <summary>A recipe: the states it applies in, and an update, an upsert or neither.</summary>
    public static JsonObject Recipe(JsonArray context, JsonObject? update = null, JsonObject? upsert = null,
        bool clear = false, bool notify = false)
    {
        var recipe = new JsonObject { ["context"] = context };
        if (update is not null) recipe["update"] = update;
        if (upsert is not null) recipe["upsert"] = upsert;
        if (clear) recipe["clear"] = true;
        if (notify) recipe["notify"] = true;
        return recipe;
    }

    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
