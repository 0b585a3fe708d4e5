using System.Buffers;
using System.Text.Json;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>
/// The first message of a connection, as the deployed MyCHIPs sender writes it: its <c>from</c> object names
/// this site (agent, host and port overwrite what the application put there; other members such as
/// <c>cuid</c> stay), because the receiving site answers at that address. A message that is a tally ticket
/// (<c>target</c> "tally", <c>action</c> "ticket", a <c>ticket</c> object) opens its connection with I.
/// Later messages (T) go as the application wrote them.
/// </summary>
internal static class FirstMessageJson
{
    /// <summary>True for the one kind of message the deployed sender carries in I rather than N+K.</summary>
    public static bool IsTallyTicket(ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json)) return false;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("target", out var target) && target.ValueKind == JsonValueKind.String && target.ValueEquals("tally")
                && root.TryGetProperty("action", out var action) && action.ValueKind == JsonValueKind.String && action.ValueEquals("ticket")
                && root.TryGetProperty("ticket", out var ticket) && ticket.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Room a stamped first message may need beyond the application's bytes (the <c>from</c> member).</summary>
    public const int FromAllowance = 512;

    /// <summary>
    /// The message with <c>from</c> stamped (merged into the application's own <c>from</c> when it has one), and a
    /// <c>ticket</c> member built from <paramref name="ticket"/> when one is given and the message has none. A
    /// message that does not parse as JSON goes as written, as T messages do: the receiver judges it.
    /// </summary>
    public static ReadOnlyMemory<byte> Stamp(ReadOnlyMemory<byte> message, ConnectionTicket? ticket, AgentKey local, int listenPort)
    {
        if (!System.Text.Unicode.Utf8.IsValid(message.Span)) return message;
        try
        {
            return StampValid(message, ticket, local, listenPort);
        }
        catch (JsonException)
        {
            return message;
        }
    }

    private static byte[] StampValid(ReadOnlyMemory<byte> message, ConnectionTicket? ticket, AgentKey local, int listenPort)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        var buffer = new ArrayBufferWriter<byte>(message.Length + 256);
        var port = local.Port != 0 ? local.Port : listenPort;
        // Escape only what JSON requires, as the JavaScript peers do.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            var stamped = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("from"))
                {
                    if (stamped) continue; // a repeated member: JSON.parse keeps one, and so do we
                    WriteFrom(writer, property.Value, local, port);
                    stamped = true;
                }
                else
                {
                    property.WriteTo(writer);
                }
            }
            if (ticket is not null && !root.TryGetProperty("ticket", out _)) WriteTicket(writer, ticket);
            if (!stamped) WriteFrom(writer, default, local, port);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteFrom(Utf8JsonWriter writer, JsonElement existing, AgentKey local, int port)
    {
        writer.WriteStartObject("from");
        if (existing.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in existing.EnumerateObject())
            {
                if (member.NameEquals("agent") || member.NameEquals("host") || member.NameEquals("port")) continue;
                member.WriteTo(writer);
            }
        }
        writer.WriteString("agent", local.Agent.ToString());
        writer.WriteString("host", local.Host);
        writer.WriteNumber("port", port);
        writer.WriteEndObject();
    }

    private static void WriteTicket(Utf8JsonWriter writer, ConnectionTicket ticket)
    {
        writer.WriteStartObject("ticket");
        writer.WriteString("token", ticket.Token);
        writer.WriteString("expires", ticket.Expires);
        writer.WriteStartObject("chad");
        writer.WriteString("cuid", ticket.Chad.Cuid);
        writer.WriteString("agent", ticket.Chad.Agent.ToString());
        writer.WriteString("host", ticket.Chad.Host);
        writer.WriteNumber("port", ticket.Chad.Port);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
