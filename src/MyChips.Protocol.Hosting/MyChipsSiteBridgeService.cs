using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MyChips.Protocol.Bridge;
using MyChips.Protocol.Postgres;
using Npgsql;

namespace MyChips.Protocol.Hosting;

/// <summary>
/// The hosted service that runs a <see cref="SiteBridge"/> over the hosted node: starts it once the node
/// listens, stops it before the node stops. Inject it to reach <see cref="Bridge"/>.
/// </summary>
public sealed class MyChipsSiteBridgeService : IHostedService, IAsyncDisposable
{
    private readonly MyChipsPeerService _peer;
    private readonly MyChipsSiteBridgeOptions _options;
    private readonly MyChipsPeerOptions _peerOptions;
    private readonly ILoggerFactory _loggers;
    private readonly TaskCompletionSource<SiteBridge> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlDataSource? _database;
    private SiteBridge? _bridge;

    public MyChipsSiteBridgeService(MyChipsPeerService peer, IOptions<MyChipsSiteBridgeOptions> options,
        IOptions<MyChipsPeerOptions> peerOptions, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(peerOptions);
        ArgumentNullException.ThrowIfNull(loggers);
        _peer = peer;
        _options = options.Value;
        _peerOptions = peerOptions.Value;
        _loggers = loggers;
    }

    /// <summary>The running bridge. Throws before the host started it.</summary>
    public SiteBridge Bridge => _bridge ?? throw new InvalidOperationException("The site bridge is not started yet; await WhenStarted.");

    /// <summary>Completes with the bridge once it listens to the site database; faults if it could not start.</summary>
    public Task<SiteBridge> WhenStarted => _started.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = _options.ConnectionString ?? _peerOptions.PostgresConnectionString;
            if (string.IsNullOrWhiteSpace(connection))
                throw new InvalidOperationException($"The site bridge needs {MyChipsSiteBridgeOptions.SectionName}:ConnectionString or {MyChipsPeerOptions.SectionName}:PostgresConnectionString.");
            var node = await _peer.WhenStarted.WaitAsync(cancellationToken).ConfigureAwait(false);
            _database = MyChipsDatabase.CreateDataSource(connection);
            _bridge = new SiteBridge(node, _database, _options.Bridge, _loggers.CreateLogger<SiteBridge>());
            await _bridge.StartAsync().ConfigureAwait(false);
            await _bridge.WhenListeningAsync(cancellationToken).ConfigureAwait(false);
            _started.TrySetResult(_bridge);
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

    private async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _bridge, null) is { } bridge) await bridge.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _database, null) is { } database) await database.DisposeAsync().ConfigureAwait(false);
    }
}
