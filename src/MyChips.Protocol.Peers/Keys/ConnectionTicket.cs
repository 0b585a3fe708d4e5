using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MyChips.Protocol.Keys;

/// <summary>
/// A connection ticket as a site hands it out (and as an initiator presents it in an <c>I</c> packet):
/// a one-time token, its expiry, and the issuing user's CHIP address, whose agent is the issuing site's
/// public key. JSON: <c>{"token":..,"expires":..,"chad":{"cuid":..,"agent":..,"host":..,"port":..}}</c>.
/// </summary>
public sealed record ConnectionTicket(string Token, DateTimeOffset Expires, ChipAddress Chad)
{
    private const string UriScheme = "mychips";

    public string ToJson() => JsonSerializer.Serialize(TicketJson.From(this), TicketJsonContext.Default.TicketJson);

    public static ConnectionTicket ParseJson(string json)
    {
        TicketJson? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(json, TicketJsonContext.Default.TicketJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a connection ticket: {e.Message}", e);
        }
        return parsed?.ToTicket() ?? throw new FormatException("Not a connection ticket: the JSON is null.");
    }

    /// <summary>
    /// The compact form for a QR code or a link:
    /// <c>mychips:cuid:agent@host:port?token=TOKEN&amp;expires=UNIXSECONDS</c>.
    /// </summary>
    public string ToUri() =>
        $"{UriScheme}:{Chad}?token={Uri.EscapeDataString(Token)}&expires={Expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";

    public static ConnectionTicket ParseUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith(UriScheme + ":", StringComparison.Ordinal))
            throw new FormatException($"A ticket URI starts with '{UriScheme}:'.");
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        if (query < 0) throw new FormatException("A ticket URI has a '?token=..&expires=..' part.");
        var chad = ChipAddress.Parse(uri[(UriScheme.Length + 1)..query]);
        string? token = null;
        long? expires = null;
        foreach (var pair in uri[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) continue;
            var value = Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (pair[..eq])
            {
                case "token": token = value; break;
                case "expires" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                    expires = seconds;
                    break;
            }
        }
        if (string.IsNullOrEmpty(token)) throw new FormatException("The ticket URI has no token.");
        if (expires is null) throw new FormatException("The ticket URI has no valid expires (unix seconds).");
        return new ConnectionTicket(token, DateTimeOffset.FromUnixTimeSeconds(expires.Value), chad);
    }
}

internal sealed record ChadJson(
    [property: JsonPropertyName("cuid")] string Cuid,
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port);

internal sealed record TicketJson(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires,
    [property: JsonPropertyName("chad")] ChadJson Chad)
{
    public static TicketJson From(ConnectionTicket ticket) =>
        new(ticket.Token, ticket.Expires, new ChadJson(ticket.Chad.Cuid, ticket.Chad.Agent.ToString(), ticket.Chad.Host, ticket.Chad.Port));

    public ConnectionTicket ToTicket()
    {
        if (string.IsNullOrEmpty(Token)) throw new FormatException("Not a connection ticket: no token.");
        if (Chad is null) throw new FormatException("Not a connection ticket: no chad.");
        return new ConnectionTicket(Token, Expires, new ChipAddress(Chad.Cuid, AgentId.Parse(Chad.Agent), Chad.Host, Chad.Port));
    }
}

[JsonSerializable(typeof(TicketJson))]
internal sealed partial class TicketJsonContext : JsonSerializerContext;
