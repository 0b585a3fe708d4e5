using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge;

internal static class JsonText
{
    /// <summary>The text as a JSON object, or null when it is not one.</summary>
    public static JsonObject? ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
