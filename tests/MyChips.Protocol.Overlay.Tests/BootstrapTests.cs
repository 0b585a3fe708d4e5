using System.Net;
using MyChips.Protocol.Overlay.Routing;
using MyChips.Protocol.Overlay.Transport;

namespace MyChips.Protocol.Overlay.Tests;

/// <summary>Joining through entry points given by name or address, and replacing dead ones.</summary>
public sealed class BootstrapTests : IAsyncLifetime
{
    private readonly LoopbackNodes _nodes = new();

    public Task InitializeAsync() => _nodes.AddJoinedAsync(3);

    public Task DisposeAsync() => _nodes.DisposeAsync().AsTask();

    [Fact]
    public async Task A_new_node_joins_through_the_first_entry_name_that_resolves_and_answers()
    {
        var port = Port(_nodes[0].Self.Address!);
        var resolver = new NamesResolver(new() { ["entry.overlay.test"] = IPAddress.Parse("127.0.0.2"), ["gone.overlay.test"] = IPAddress.Parse("127.0.0.200") });
        var newcomer = _nodes.Add(transportOptions: new TcpOverlayOptions { Resolver = resolver });

        var entry = await newcomer.JoinAnyAsync(["unknown.overlay.test:1", $"gone.overlay.test:{port}", $"entry.overlay.test:{port}"]).WaitAsync(LoopbackNodes.Deadline);

        Assert.Equal(_nodes[0].Identity.Id, entry.Id);
        Assert.Equal(["unknown.overlay.test", "gone.overlay.test", "entry.overlay.test"], resolver.Asked);
        Assert.True(newcomer.Table.Count >= 3); // the lookup of its own id met the others
    }

    [Fact]
    public async Task When_no_entry_point_answers_the_error_names_each_one()
    {
        var newcomer = _nodes.Add(transportOptions: new TcpOverlayOptions { Resolver = new NamesResolver([]) });

        var error = await Assert.ThrowsAsync<OverlayUnreachableException>(() => newcomer.JoinAnyAsync(["nowhere.overlay.test:5", "127.0.0.200:1"]).WaitAsync(LoopbackNodes.Deadline));

        Assert.Contains("nowhere.overlay.test:5: nowhere.overlay.test resolves to no address", error.Message);
        Assert.Contains("127.0.0.200:1: cannot reach", error.Message);
    }

    [Fact]
    public async Task A_dead_entry_point_is_replaced_by_a_live_node_that_offers_itself()
    {
        var live = _nodes[0].Self.Address!;
        var checker = _nodes[2];

        var checkedList = await checker.CheckEntryPointsAsync([live, "127.0.0.200:1"]).WaitAsync(LoopbackNodes.Deadline);

        Assert.Equal([live, checker.Self.Address!], checkedList);
        Assert.True((checker.Self.Flags & PeerFlags.EntryPoint) != 0);
    }

    [Fact]
    public async Task Maintenance_checks_the_entry_points_every_refresh_interval_and_reports_a_replaced_one()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new Node.OverlayOptions { RefreshInterval = TimeSpan.FromMinutes(10), Offers = PeerFlags.Reachable | PeerFlags.EntryPoint };
        var keeper = _nodes.AddWithClock(options, time);
        await keeper.JoinAsync(_nodes[0].Self.Address!).WaitAsync(LoopbackNodes.Deadline);
        var live = _nodes[0].Self.Address!;
        var changes = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<string>>();
        using var stop = new CancellationTokenSource();

        var maintaining = keeper.MaintainAsync([live, "127.0.0.200:1"], list => changes.Writer.TryWrite(list), stop.Token);
        Assert.False(changes.Reader.TryRead(out _)); // nothing before the first interval
        time.Advance(options.RefreshInterval);

        var replaced = await changes.Reader.ReadAsync().AsTask().WaitAsync(LoopbackNodes.Deadline);
        Assert.Equal([live, keeper.Self.Address!], replaced);
        await stop.CancelAsync();
        await maintaining.WaitAsync(LoopbackNodes.Deadline);
    }

    private static int Port(string address) => IPEndPoint.Parse(address).Port;

    private sealed class NamesResolver(Dictionary<string, IPAddress> names) : IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken = default)
        {
            lock (Asked) Asked.Add(host);
            return Task.FromResult(names.TryGetValue(host, out var address) ? new[] { address } : []);
        }
    }
}
