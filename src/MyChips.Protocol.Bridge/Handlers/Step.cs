using System.Text.Json.Nodes;

namespace MyChips.Protocol.Bridge.Handlers;

/// <summary>What a handler made of one message: the database's last answer, and why it failed if it did.</summary>
/// <param name="Retryable">The database refused it as things stand: it may fit once other messages are in.</param>
internal readonly record struct Step(JsonNode? Result, string? Problem, bool Retryable = false)
{
    public static Step Done(JsonNode? result) => new(result, null);

    public static Step Failed(string problem, JsonNode? result = null) => new(result, problem);

    private static Step Refused(string problem, JsonNode? result = null) => new(result, problem, Retryable: true);

    /// <summary>
    /// Judges a process function's answer: an object (or true) means done; null, false or a state string
    /// (the context did not match) mean refused. <paramref name="expectedState"/> accepts that one string.
    /// </summary>
    public static Step From(JsonNode? result, string? expectedState = null) => result switch
    {
        null => Refused("the database refused it"),
        JsonObject => Done(result),
        JsonValue value when value.TryGetValue<bool>(out var ok) => ok ? Done(result) : Refused("the database found nothing to change", result),
        JsonValue value when value.TryGetValue<string>(out var state) && state == expectedState => Done(result),
        JsonValue value when value.TryGetValue<string>(out var state) => Refused($"it does not fit the current state {state}", result),
        _ => Failed("the database gave an unexpected answer", result),
    };

    public bool Succeeded => Problem is null;
}
