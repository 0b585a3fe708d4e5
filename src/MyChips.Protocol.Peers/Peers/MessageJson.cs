using System.Text.Json;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>The JSON the runtime itself reads or writes inside packets: the agent id in N, the ticket and sender in I.</summary>
internal static class MessageJson
{
    /// <summary>A cheap check that a message is a JSON object (its first non-blank byte is '{').</summary>
    public static bool LooksLikeObject(ReadOnlySpan<byte> json)
    {
        foreach (var b in json)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b == (byte)'{';
        }
        return false;
    }

    /// <summary>The N payload: the agent id as a JSON string.</summary>
    public static byte[] EncodeAgentId(AgentId agent) => JsonSerializer.SerializeToUtf8Bytes(agent.ToString(), PeerJsonContext.Default.String);

    public static bool TryParseAgentId(ReadOnlySpan<byte> json, out AgentId agent)
    {
        agent = default;
        if (!System.Text.Unicode.Utf8.IsValid(json)) return false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) return false;
            var text = reader.GetString();
            return !reader.Read() && AgentId.TryParse(text, out agent);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads what a responder needs from an I payload: the ticket's token and the sender's agent (and address when complete).</summary>
    public static bool TryReadTicketRequest(ReadOnlyMemory<byte> message, out string token, out AgentId from, out ChipAddress? fromAddress)
    {
        (token, from, fromAddress) = ("", default, null);
        // JsonDocument leaves string contents unchecked; GetString would throw on invalid UTF-8.
        if (!System.Text.Unicode.Utf8.IsValid(message.Span)) return false;
        try
        {
            using var document = JsonDocument.Parse(message);
            return TryReadTicketRequest(document.RootElement, out token, out from, out fromAddress);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The same, from the I payload already decoded by its codec.</summary>
    public static bool TryReadTicketRequest(JsonElement root, out string token, out AgentId from, out ChipAddress? fromAddress)
    {
        (token, from, fromAddress) = ("", default, null);
        try
        {
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("ticket", out var ticket) || ticket.ValueKind != JsonValueKind.Object
                || !ticket.TryGetProperty("token", out var tokenElement) || tokenElement.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("from", out var sender) || sender.ValueKind != JsonValueKind.Object
                || !sender.TryGetProperty("agent", out var agentElement) || agentElement.ValueKind != JsonValueKind.String
                || !AgentId.TryParse(agentElement.GetString(), out from))
                return false;
            token = tokenElement.GetString() ?? "";
            if (sender.TryGetProperty("cuid", out var cuid) && cuid.ValueKind == JsonValueKind.String
                && sender.TryGetProperty("host", out var host) && host.ValueKind == JsonValueKind.String
                && sender.TryGetProperty("port", out var port) && port.TryGetInt32(out var portNumber))
                fromAddress = new ChipAddress(cuid.GetString()!, from, host.GetString()!, portNumber);
            return token.Length > 0;
        }
        catch (InvalidOperationException)
        {
            return false; // a string that is not valid UTF-8
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PeerJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
