using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MyChips.Protocol.Keys;
using MyChips.Protocol.Peers;
using MyChips.Protocol.Postgres;

namespace MyChips.Protocol.Hosting;

/// <summary>
/// The hosted service that owns a <see cref="PeerNode"/>: builds and starts it with the host, stops it (failing
/// undelivered messages, closing connections) with the host. Inject it to reach <see cref="Node"/>.
/// </summary>
public sealed class MyChipsPeerService : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly MyChipsPeerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<PeerNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PeerNode? _node;
    private AgentKey? _ownedKey;
    private IKeyProvider? _keys;
    private ITicketStore? _tickets;
    private IReplayGuard? _replays;

    public MyChipsPeerService(IOptions<MyChipsPeerOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<MyChipsPeerService>();
    }

    /// <summary>The running node. Throws before the host started it.</summary>
    public PeerNode Node => _node ?? throw new InvalidOperationException("The peer node is not started yet; await WhenStarted.");

    /// <summary>Completes with the node once it listens; faults if it could not start.</summary>
    public Task<PeerNode> WhenStarted => _started.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_node is not null) throw new InvalidOperationException("The peer node is started already.");
        try
        {
            var key = PeerNodeBuilder.LoadKey(_options, out var ownsKey);
            if (ownsKey) _ownedKey = key;
            var nodeOptions = PeerNodeBuilder.NodeOptions(_options, key);
            (_keys, _tickets, _replays) = PeerNodeBuilder.Stores(_options, key, _loggers);
            if (_keys is PostgresKeyProvider postgres) await postgres.StartAsync(cancellationToken).ConfigureAwait(false);
            var node = new PeerNode(nodeOptions, _keys, _tickets, _loggers.CreateLogger<PeerNode>(), replayGuard: _replays);
            _node = node;
            await node.StartAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("MyCHIPs peer {Agent} listening on {EndPoint} ({Mode})", node.Agent, node.LocalEndPoint, _options.Mode);
            _started.TrySetResult(node);
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            await ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _started.TrySetCanceled(CancellationToken.None);
        await ReleaseAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(ReleaseAsync());

    /// <summary>For containers disposed synchronously: waits for the node to stop.</summary>
    public void Dispose() => ReleaseAsync().GetAwaiter().GetResult();

    private async Task ReleaseAsync()
    {
        var node = Interlocked.Exchange(ref _node, null);
        if (node is not null) await node.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _keys, null) is IAsyncDisposable keys) await keys.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _tickets, null) is IAsyncDisposable tickets) await tickets.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _replays, null) is IAsyncDisposable replays) await replays.DisposeAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _ownedKey, null)?.Dispose();
    }
}
