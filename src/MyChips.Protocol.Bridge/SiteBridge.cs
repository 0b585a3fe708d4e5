using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using Npgsql;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// Runs a MyCHIPs site's peer traffic through a <see cref="PeerNode"/>: each notification on the quoted channel
/// <c>ma_&lt;agent&gt;</c> is sent to the site named by its <c>to</c> chad (or delivered locally when that is our own
/// agent) and confirmed with <c>mychips.&lt;target&gt;_process</c>; each message from another site goes to the same
/// function. Failed sends are not recorded: <c>tally_notices</c> re-sends them.
/// </summary>
public sealed partial class SiteBridge : IAsyncDisposable
{
    private readonly PeerNode _node;
    private readonly NpgsqlDataSource _database;
    private readonly SiteBridgeOptions _options;
    private readonly ILogger _logger;
    private readonly System.Threading.Channels.Channel<string> _notifications = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _loops = [];
    private int _retryPending;

    public SiteBridge(PeerNode node, NpgsqlDataSource database, SiteBridgeOptions? options = null, ILogger<SiteBridge>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(database);
        _node = node;
        _database = database;
        _options = options ?? new SiteBridgeOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Raised once for every message handled, with what became of it.</summary>
    public event EventHandler<BridgeOutcome>? Handled;

    /// <summary>The agent this bridge serves.</summary>
    public AgentId Agent => _node.Agent;

    /// <summary>The channel name MyCHIPs notifies this agent on.</summary>
    public string Channel => "ma_" + _node.Agent;

    /// <summary>Starts listening to the database and reading the node's messages.</summary>
    public Task StartAsync()
    {
        _loops = [ListenLoopAsync(_stopping.Token), SendLoopAsync(_stopping.Token), ReceiveLoopAsync(_stopping.Token), NoticeLoopAsync(_stopping.Token)];
        return Task.CompletedTask;
    }

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public Task WhenListeningAsync(CancellationToken cancellationToken = default) => _listening.Task.WaitAsync(cancellationToken);

    /// <summary>Asks the database (<c>tally_notices</c>) to re-send pending requests; returns how many it re-sent.</summary>
    /// <param name="olderThan">Only requests last tried at least this long ago; null: the retry age of the options.</param>
    public async Task<int> ResendAsync(TimeSpan? olderThan = null, CancellationToken cancellationToken = default)
    {
        var age = olderThan ?? _options.RetryAge;
        await using var command = _database.CreateCommand(age is null ? "select mychips.tally_notices()" : "select mychips.tally_notices($1)");
        if (age is not null) command.Parameters.Add(new NpgsqlParameter { Value = age.Value });
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var text in _notifications.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            await HandleLocalAsync(text, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _node.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await HandleRemoteAsync(message.JsonText, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task HandleLocalAsync(string text, CancellationToken cancellationToken)
    {
        if (Parse(text) is not { } message)
        {
            _logger.LogWarning("Notification on {Channel} is not a MyCHIPs message: {Text}", Channel, text);
            return;
        }
        var (target, action) = Names(message);
        if (message["to"] is not JsonObject to || !TryDestination(to, out var destination))
        {
            Report(BridgeDirection.Local, target, action, null, "the message names no destination (to.agent, host, port)");
            return;
        }
        message["from"] = OwnChad(message["from"] as JsonObject);
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        if (destination.Agent == _node.Agent)
        {
            await HandleRemoteAsync(message.ToJsonString(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await _node.SendAsync(destination, bytes, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is DeliveryFailedException or IOException)
            {
                // Not written anywhere: the tries counter in the database already says it is pending.
                Report(BridgeDirection.Local, target, action, null, $"not delivered to {destination}: {failure.Message}");
                _ = RetryLaterAsync(_stopping.Token);
                return;
            }
        }
        if (target is "tally" or "chit" or "route")
            await ProcessAsync(BridgeDirection.Local, target, action, message, Recipes.Local(action), cancellationToken).ConfigureAwait(false);
        else
            Report(BridgeDirection.Local, target, action, null, null);
    }

    private async Task HandleRemoteAsync(string text, CancellationToken cancellationToken)
    {
        if (Parse(text) is not { } message)
        {
            _logger.LogWarning("A message that is not a MyCHIPs message was dropped: {Text}", text);
            return;
        }
        var (target, action) = Names(message);
        if (target is not ("tally" or "chit" or "route" or "lift" or "chain"))
        {
            Report(BridgeDirection.Remote, target, action, null, $"unknown target '{target}'");
            return;
        }
        // Lifts are passed through unchanged: their handler is not part of this bridge.
        var recipe = target == "lift" ? new JsonObject() : Recipes.Remote(action);
        await ProcessAsync(BridgeDirection.Remote, target, action, message, recipe, cancellationToken).ConfigureAwait(false);
    }

    private async Task ProcessAsync(BridgeDirection direction, string target, string action, JsonObject message, JsonObject recipe,
        CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _database.CreateCommand($"select mychips.{target}_process($1::jsonb, $2::jsonb)::text");
            command.Parameters.Add(new NpgsqlParameter { Value = message.ToJsonString() });
            command.Parameters.Add(new NpgsqlParameter { Value = recipe.ToJsonString() });
            var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            var problem = result switch
            {
                null => "the database refused it",
                _ when !result.StartsWith('{') => $"it does not fit the current state {result}",
                _ => null,
            };
            Report(direction, target, action, result, problem);
        }
        catch (Exception failure) when (failure is NpgsqlException or InvalidOperationException)
        {
            Report(direction, target, action, null, $"the database failed: {failure.Message}");
        }
    }

    private void Report(BridgeDirection direction, string target, string action, string? result, string? problem)
    {
        if (problem is not null)
            _logger.LogWarning("{Direction} {Target}.{Action} not taken: {Problem}", direction, target, action, problem);
        Handled?.Invoke(this, new BridgeOutcome(direction, target, action, result, problem));
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
        return chad["agent"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && chad["host"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && chad["port"]?.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && PeerDestination.TryParse($"{chad["agent"]}@{chad["host"]}:{chad["port"]}", out destination!, out _);
    }

    private static (string Target, string Action) Names(JsonObject message) =>
        (Text(message["target"]), Text(message["action"]));

    private static string Text(JsonNode? node) =>
        node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : "";

    private static JsonObject? Parse(string text)
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

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _notifications.Writer.TryComplete();
        foreach (var loop in _loops)
        {
            try { await loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _stopping.Dispose();
    }
}
