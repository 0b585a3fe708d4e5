using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyChips.Protocol.Bridge.Handlers;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using Npgsql;

namespace MyChips.Protocol.Bridge;

/// <summary>
/// Runs a MyCHIPs site's peer traffic through a <see cref="PeerNode"/>: each notification on the quoted channel
/// <c>ma_&lt;agent&gt;</c> is handled as MyCHIPs's peer server handles it (sent to the site its <c>to</c> chad names,
/// or here when that is our own agent, and recorded with <c>mychips.&lt;target&gt;_process</c>); each message from
/// another site goes to the same functions. Failed sends are not recorded: <c>tally_notices</c> re-sends them.
/// </summary>
public sealed partial class SiteBridge : IAsyncDisposable
{
    private readonly PeerNode _node;
    private readonly NpgsqlDataSource _database;
    private readonly SiteBridgeOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<string> _notifications = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, ITargetHandler> _handlers;
    private readonly ParkedMessages _parked;
    private Task[] _loops = [];
    private int _retryPending;
    private int _disposed;

    public SiteBridge(PeerNode node, NpgsqlDataSource database, SiteBridgeOptions? options = null, ILogger<SiteBridge>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(database);
        _node = node;
        _database = database;
        _options = options ?? new SiteBridgeOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _parked = new ParkedMessages(_options.ParkedCapacity, _options.ParkedAttempts);
        var actions = new BridgeActions(this);
        _handlers = new(StringComparer.Ordinal)
        {
            ["tally"] = new TallyHandler(actions),
            ["chit"] = new ChitHandler(actions),
            ["route"] = new RouteHandler(actions),
        };
    }

    /// <summary>Raised once for every message handled (and every retry of a refused one), with what became of it.</summary>
    public event EventHandler<BridgeOutcome>? Handled;

    /// <summary>The agent this bridge serves.</summary>
    public AgentId Agent => _node.Agent;

    /// <summary>The channel name MyCHIPs notifies this agent on.</summary>
    public string Channel => "ma_" + _node.Agent;

    /// <summary>Partners' messages the database refused so far that wait to be tried again.</summary>
    public int ParkedCount => _parked.Count;

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
            await HandleAsync(BridgeDirection.Local, text, 0, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _node.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await HandleAsync(BridgeDirection.Remote, message.JsonText, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(BridgeDirection direction, string text, int attempt, CancellationToken cancellationToken)
    {
        if (JsonText.ParseObject(text) is not { } message)
        {
            _logger.LogWarning("{Direction} message that is not a MyCHIPs message dropped: {Text}", direction, text);
            return;
        }
        var target = Messages.Text(message["target"]) ?? "";
        var action = Messages.Text(message["action"]) ?? "";
        Step step;
        try
        {
            step = await DispatchAsync(direction, target, action, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is NpgsqlException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            step = Step.Failed($"the database failed: {failure.Message}");
        }
        Report(direction, target, action, step);
        if (step.Succeeded)
            await RetryParkedAsync(cancellationToken).ConfigureAwait(false);
        else if (direction == BridgeDirection.Remote && step.Retryable && !_parked.Park(text, attempt + 1))
            _logger.LogWarning("Gave up on {Target}.{Action} after {Attempts} attempts (or no room to keep it): {Text}", target, action, attempt + 1, text);
    }

    private Task<Step> DispatchAsync(BridgeDirection direction, string target, string action, JsonObject message, CancellationToken cancellationToken)
    {
        if (target == "lift")
            return direction == BridgeDirection.Local ? PassLiftAsync(message, cancellationToken) : TakeLiftAsync(message, cancellationToken);
        if (!_handlers.TryGetValue(target, out var handler)) return Task.FromResult(Step.Failed($"unknown target '{target}'"));
        return direction == BridgeDirection.Local
            ? handler.LocalAsync(action, message, cancellationToken)
            : handler.RemoteAsync(action, message, cancellationToken);
    }

    // Lifts have no handler here: they travel unchanged, and the database's lift_process takes them in.
    private async Task<Step> PassLiftAsync(JsonObject message, CancellationToken cancellationToken) =>
        await TransmitAsync(message, cancellationToken).ConfigureAwait(false) is { } problem ? Step.Failed(problem) : Step.Done(null);

    private async Task<Step> TakeLiftAsync(JsonObject message, CancellationToken cancellationToken) =>
        Step.From(await ProcessAsync("lift", message, new JsonObject(), cancellationToken).ConfigureAwait(false));

    // Something changed in the database: messages it refused before may fit now (order must not matter).
    private async Task RetryParkedAsync(CancellationToken cancellationToken)
    {
        foreach (var (text, attempts) in _parked.TakeAll())
            await HandleAsync(BridgeDirection.Remote, text, attempts, cancellationToken).ConfigureAwait(false);
    }

    private void Report(BridgeDirection direction, string target, string action, Step step)
    {
        if (step.Problem is not null)
            _logger.LogWarning("{Direction} {Target}.{Action} not taken: {Problem}", direction, target, action, step.Problem);
        Handled?.Invoke(this, new BridgeOutcome(direction, target, action, step.Result?.ToJsonString(), step.Problem));
    }

    /// <summary>Stops listening and reading; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
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
