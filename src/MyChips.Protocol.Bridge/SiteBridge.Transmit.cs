using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MyChips.Protocol.Bridge.Handlers;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using Npgsql;

namespace MyChips.Protocol.Bridge;

public sealed partial class SiteBridge
{
    /// <summary>Sends to the site the <c>to</c> chad names, from our own agent; null when sent, else why not.</summary>
    private async Task<string?> TransmitAsync(JsonObject message, CancellationToken cancellationToken, ConnectionTicket? ticket = null)
    {
        if (message["to"] is not JsonObject to || Messages.Text(to["agent"]) is not { } agentText || !AgentId.TryParse(agentText, out var agent))
            return "the message names no destination agent (to.agent)";
        message["from"] = OwnChad(message["from"] as JsonObject);
        if (agent == _node.Agent)
        {
            // Both users are ours: MyCHIPs's peer server takes such a message in at once, and so do we.
            await HandleAsync(BridgeDirection.Remote, message.ToJsonString(), 0, cancellationToken).ConfigureAwait(false);
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        try
        {
            if (TryDestination(to, out var destination))
                await _node.SendAsync(destination, bytes, ticket, cancellationToken).ConfigureAwait(false);
            else
                await _node.SendAsync(agent, bytes, cancellationToken).ConfigureAwait(false);   // where the key store says
            return null;
        }
        catch (Exception failure) when (failure is DeliveryFailedException or IOException)
        {
            // Not written anywhere: the database's tries counters say what is pending.
            _ = RetryLaterAsync(_stopping.Token);
            return $"not delivered to {agent}: {failure.Message}";
        }
    }

    private Task<string?> TransmitTicketAsync(JsonObject message, JsonObject ticket, CancellationToken cancellationToken)
    {
        var to = message["to"] as JsonObject;
        if (to is null || !TryAddress(to, out var issuer) || Messages.Text(ticket["token"]) is not { } token)
            return Task.FromResult<string?>("the ticket names no complete issuer address (cuid, agent, host, port)");
        var expires = DateTimeOffset.TryParse(Messages.Text(ticket["expires"]), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var when) ? when : DateTimeOffset.MaxValue;
        return TransmitAsync(message, cancellationToken, new ConnectionTicket(token, expires, issuer));
    }

    private async Task<JsonNode?> ProcessAsync(string target, JsonObject message, JsonNode recipe, CancellationToken cancellationToken)
    {
        // The target is one of ours (tally, chit, route, lift), never text from a message.
        await using var command = _database.CreateCommand($"select mychips.{target}_process($1::jsonb, $2::jsonb)::text");
        command.Parameters.Add(new NpgsqlParameter { Value = message.ToJsonString() });
        command.Parameters.Add(new NpgsqlParameter { Value = recipe.ToJsonString() });
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return result is null ? null : JsonNode.Parse(result);
    }

    private async Task<object?> QueryAsync(string sql, CancellationToken cancellationToken, object?[] values)
    {
        await using var command = _database.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is DBNull ? null : result;
    }

    private JsonObject OwnChad(JsonObject? from) => new()
    {
        ["cuid"] = from?["cuid"]?.DeepClone(),
        ["agent"] = _node.Agent.ToString(),
        ["host"] = _node.Options.LocalKey.Host,
        ["port"] = _node.LocalEndPoint.Port,
    };

    private static bool TryDestination(JsonObject chad, out PeerDestination destination)
    {
        destination = null!;
        return Messages.Text(chad["agent"]) is { } agent && Messages.Text(chad["host"]) is { } host
            && chad["port"]?.GetValueKind() == JsonValueKind.Number
            && PeerDestination.TryParse($"{agent}@{host}:{chad["port"]}", out destination!, out _);
    }

    private static bool TryAddress(JsonObject chad, out ChipAddress address)
    {
        address = null!;
        return Messages.Text(chad["cuid"]) is { } cuid && Messages.Text(chad["agent"]) is { } agent && Messages.Text(chad["host"]) is { } host
            && chad["port"]?.GetValueKind() == JsonValueKind.Number
            && ChipAddress.TryParse($"{cuid}:{agent}@{host}:{chad["port"]}", out address!);
    }

    /// <summary>The bridge as its handlers see it.</summary>
    private sealed class BridgeActions(SiteBridge bridge) : IBridgeActions
    {
        public SignatureChecks Signatures { get; } = new(bridge._options.CheckSignatures);

        public Task<string?> TransmitAsync(JsonObject message, CancellationToken cancellationToken) =>
            bridge.TransmitAsync(message, cancellationToken);

        public Task<string?> TransmitTicketAsync(JsonObject message, JsonObject ticket, CancellationToken cancellationToken) =>
            bridge.TransmitTicketAsync(message, ticket, cancellationToken);

        public Task<JsonNode?> ProcessAsync(string target, JsonObject message, JsonNode recipe, CancellationToken cancellationToken) =>
            bridge.ProcessAsync(target, message, recipe, cancellationToken);

        public Task<object?> QueryAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
            bridge.QueryAsync(sql, cancellationToken, values);
    }
}
