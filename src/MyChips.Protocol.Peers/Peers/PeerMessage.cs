using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MyChips.Protocol.Keys;

namespace MyChips.Protocol.Peers;

/// <summary>An application message received from a remote agent: its raw UTF-8 JSON, as sent.</summary>
public sealed class PeerMessage
{
    internal PeerMessage(AgentId from, long connectionId, ReadOnlyMemory<byte> json)
    {
        From = from;
        ConnectionId = connectionId;
        Json = json;
    }

    /// <summary>The agent that sent the message (authenticated by the handshake, except in raw mode).</summary>
    public AgentId From { get; }

    /// <summary>The connection the message came on.</summary>
    public long ConnectionId { get; }

    /// <summary>The message's UTF-8 JSON bytes.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The message as text, for logs and tests.</summary>
    public string JsonText => System.Text.Encoding.UTF8.GetString(Json.Span);

    /// <summary>The message as a typed value.</summary>
    /// <exception cref="JsonException">The JSON does not fit the type.</exception>
    public T Deserialize<T>(JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(Json.Span, typeInfo)
        ?? throw new JsonException($"The message from {From} is JSON null, not a {typeof(T).Name}.");

    /// <summary>The message as a JSON document (the caller disposes it).</summary>
    public JsonDocument ToDocument() => JsonDocument.Parse(Json);

    public override string ToString() => $"{From}: {JsonText}";
}
